package ui

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// Bounds of what the mail view reads and shows of one message.
const (
	mailShowMax     = 256 << 10 // the raw text and the body shown
	mailMaxParts    = 100       // MIME parts walked
	mailMaxDepth    = 8         // multipart nesting followed
	mailMaxAttached = 50        // attachments listed
)

// readMail is a message as the mail view shows it: its headers decoded (RFC
// 2047), its text decoded from its transfer encoding (RFC 2045) and charset,
// and its attachments (RFC 2046 multipart, RFC 2183 Content-Disposition).
type readMail struct {
	From, To, Cc, Date, Subject string
	Text                        string // the text body, as UTF-8, at most mailShowMax bytes
	HTML                        bool   // Text is an HTML part's source (there was no text/plain)
	Cut                         bool   // Text was cut at mailShowMax
	Attachments                 []mailAttachment
	Problem                     string // what could not be read, for the person; "" if all was
}

// mailAttachment is one attached file, decoded.
type mailAttachment struct {
	Name, Type string
	Data       []byte
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

// charsetReader reads Latin-1 and Windows-1252 (the charsets older mail
// programs write most) as UTF-8; mime.WordDecoder knows UTF-8, US-ASCII and
// ISO-8859-1 itself.
func charsetReader(charset string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "windows-1252", "cp1252", "iso-8859-15", "latin1":
		b, err := io.ReadAll(io.LimitReader(r, mailShowMax))
		return strings.NewReader(latin1(b)), err
	}
	return nil, fmt.Errorf("the charset %s is not one the lab decodes", charset)
}

func latin1(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		s.WriteRune(rune(c))
	}
	return s.String()
}

// decodeHeader decodes RFC 2047 words ("=?utf-8?q?caf=C3=A9?="), keeping the
// text as it is where it cannot.
func decodeHeader(v string) string {
	if d, err := wordDecoder.DecodeHeader(v); err == nil {
		v = d
	}
	return strings.ToValidUTF8(v, "\uFFFD")
}

// parseMail reads raw as a mail message. It never fails: what it cannot read is
// said in Problem, and the Raw view still shows the bytes.
func parseMail(raw []byte) readMail {
	var m readMail
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		m.Problem = "the message's header cannot be read: " + err.Error()
		return m
	}
	h := msg.Header
	m.From, m.To, m.Cc = decodeHeader(h.Get("From")), decodeHeader(h.Get("To")), decodeHeader(h.Get("Cc"))
	m.Subject, m.Date = decodeHeader(h.Get("Subject")), h.Get("Date")
	if t, err := h.Date(); err == nil {
		m.Date = t.Local().Format("Mon, 2 Jan 2006 15:04:05 -0700")
	}
	w := &mailWalker{m: &m}
	w.part(h.Get("Content-Type"), h.Get("Content-Transfer-Encoding"), h.Get("Content-Disposition"), msg.Body, 0)
	if m.Text == "" && w.html != "" {
		m.Text, m.HTML = w.html, true
	}
	if len(m.Text) > mailShowMax {
		m.Text, m.Cut = strings.ToValidUTF8(m.Text[:mailShowMax], ""), true
	}
	return m
}

// mailWalker walks a message's MIME parts, bounded in number and depth.
type mailWalker struct {
	m     *readMail
	parts int
	html  string
}

func (w *mailWalker) problem(s string) {
	if w.m.Problem == "" {
		w.m.Problem = s
	}
}

func (w *mailWalker) part(ctype, cte, disp string, body io.Reader, depth int) {
	w.parts++
	if w.parts > mailMaxParts {
		w.problem(fmt.Sprintf("the message has more than %d parts; the rest are not shown", mailMaxParts))
		return
	}
	if ctype == "" {
		ctype = "text/plain"
	}
	media, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		media, params = "application/octet-stream", nil
		w.problem("a Content-Type cannot be read (" + err.Error() + "); that part is shown as a file")
	}
	media = strings.ToLower(media)
	if strings.HasPrefix(media, "multipart/") {
		if depth >= mailMaxDepth {
			w.problem("multipart parts nest too deep; the inner ones are not shown")
			return
		}
		boundary := params["boundary"]
		if boundary == "" {
			w.problem("a multipart part has no boundary")
			return
		}
		mr := multipart.NewReader(body, boundary)
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				w.problem("a MIME part cannot be read: " + err.Error())
				return
			}
			w.part(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p.Header.Get("Content-Disposition"), p, depth+1)
			if w.parts > mailMaxParts {
				return
			}
		}
	}
	data, err := io.ReadAll(io.LimitReader(transferDecoder(cte, body), 64<<20))
	if err != nil {
		w.problem(fmt.Sprintf("a %s part's %s encoding is damaged: %v", media, strings.ToLower(cte), err))
	}
	dispType, dparams, _ := mime.ParseMediaType(disp)
	name := decodeHeader(dparams["filename"])
	if name == "" {
		name = decodeHeader(params["name"])
	}
	isText := media == "text/plain" || media == "text/html"
	if strings.EqualFold(dispType, "attachment") || name != "" || !isText {
		if media == "message/rfc822" && name == "" {
			name = "message.eml"
		}
		if name == "" {
			name = "part" + fmt.Sprint(w.parts)
		}
		if len(w.m.Attachments) < mailMaxAttached {
			w.m.Attachments = append(w.m.Attachments, mailAttachment{Name: name, Type: media, Data: data})
		} else {
			w.problem(fmt.Sprintf("the message has more than %d attachments; the rest are not listed", mailMaxAttached))
		}
		return
	}
	text := textOf(data, params["charset"])
	switch {
	case media == "text/html":
		if w.html == "" {
			w.html = text
		}
	case w.m.Text == "":
		w.m.Text = text
	default:
		w.m.Text += "\n\n" + text
	}
}

// transferDecoder undoes a Content-Transfer-Encoding; 7bit, 8bit, binary and
// unknown ones are read as they are.
func transferDecoder(cte string, r io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "quoted-printable":
		return quotedprintable.NewReader(r)
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, &spaceDropper{r: r})
	}
	return r
}

// spaceDropper drops the line breaks and spaces base64 text carries.
type spaceDropper struct{ r io.Reader }

func (s *spaceDropper) Read(p []byte) (int, error) {
	for {
		n, err := s.r.Read(p)
		k := 0
		for _, c := range p[:n] {
			if c != '\r' && c != '\n' && c != ' ' && c != '\t' {
				p[k] = c
				k++
			}
		}
		if k > 0 || err != nil || n == 0 {
			return k, err
		}
	}
}

// textOf turns a text part's bytes into UTF-8 from its charset.
func textOf(b []byte, charset string) string {
	s := string(b)
	switch strings.ToLower(charset) {
	case "iso-8859-1", "iso-8859-15", "latin1", "windows-1252", "cp1252":
		s = latin1(b)
	default:
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "\uFFFD")
		}
	}
	return strings.ReplaceAll(s, "\r\n", "\n")
}

// mailSummary is a message's From and Subject from its header (TOP n 0), for a
// list row.
func mailSummary(header []byte) (from, subject string) {
	msg, err := mail.ReadMessage(bytes.NewReader(header))
	if err != nil {
		return "", ""
	}
	return decodeHeader(msg.Header.Get("From")), decodeHeader(msg.Header.Get("Subject"))
}
