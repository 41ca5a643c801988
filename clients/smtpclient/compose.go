package smtpclient

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strings"
	"time"
)

// Mail is a message to compose and send.
type Mail struct {
	From        string   // "alice@alpha.test" or "Alice <alice@alpha.test>"
	To, Cc      []string // shown in the headers, and recipients
	Bcc         []string // recipients not shown in the headers
	Subject     string
	Body        string // plain text
	Attachments []Attachment
	Date        time.Time // zero means now
}

// Attachment is a file attached to a Mail.
type Attachment struct {
	Name string // the file name
	Type string // its media type; "" means application/octet-stream
	Data []byte
}

// Compose returns mail as an RFC 5322 message with CRLF line endings: a
// text/plain body in quoted-printable, or, with attachments, multipart/mixed
// (RFC 2046) with each attachment in base64. Non-ASCII header text is encoded
// as RFC 2047 words. The result is what Send sends and what an .eml file holds.
func Compose(m Mail) []byte {
	var b bytes.Buffer
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	header := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%s: %s\r\n", k, oneLine(v))
		}
	}
	header("From", m.From)
	header("To", strings.Join(m.To, ", "))
	header("Cc", strings.Join(m.Cc, ", "))
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", date.Format(time.RFC1123Z))
	header("Message-ID", "<"+randomID()+"@"+domainOf(m.From)+">")
	header("MIME-Version", "1.0")
	if len(m.Attachments) == 0 {
		header("Content-Type", "text/plain; charset=utf-8")
		header("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		writeQP(&b, m.Body)
		return b.Bytes()
	}
	mw := multipart.NewWriter(&b)
	mw.SetBoundary("lab-" + randomID()) // short enough for one header line
	header("Content-Type", "multipart/mixed; boundary=\""+mw.Boundary()+"\"")
	b.WriteString("\r\nThis is a message with attachments in MIME format.\r\n")
	pw, _ := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"text/plain; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	var body bytes.Buffer
	writeQP(&body, m.Body)
	pw.Write(body.Bytes())
	for _, a := range m.Attachments {
		typ := a.Type
		if typ == "" {
			typ = "application/octet-stream"
		}
		name := oneLine(a.Name)
		aw, _ := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {mime.FormatMediaType(typ, map[string]string{"name": name})},
			"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": name})},
			"Content-Transfer-Encoding": {"base64"},
		})
		enc := base64.StdEncoding.EncodeToString(a.Data)
		for len(enc) > 76 {
			aw.Write([]byte(enc[:76] + "\r\n"))
			enc = enc[76:]
		}
		aw.Write([]byte(enc + "\r\n"))
	}
	mw.Close()
	return b.Bytes()
}

// writeQP writes text in quoted-printable with CRLF line endings.
func writeQP(b *bytes.Buffer, text string) {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\n", "\r\n")
	w := quotedprintable.NewWriter(b)
	w.Write([]byte(text))
	w.Close()
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
}

func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)
}

func randomID() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
