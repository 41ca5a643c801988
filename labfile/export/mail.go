package export

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/protocollab/protolab/lab"
)

// Mail is one mail message found in a session.
type Mail struct {
	Conv     lab.ConvID
	Source   lab.MailKind // how it crossed: SMTP (DATA or BDAT), POP3 (RETR), IMAP (FETCH)
	At       time.Time    // when its last byte was seen
	From     string       // SMTP's envelope sender (MAIL FROM), "" for POP3 and IMAP
	To       []string     // SMTP's envelope recipients (RCPT TO)
	Raw      []byte       // the message (RFC 5322), dot-stuffing and transfer framing removed
	Complete bool         // false when the capture lacks its end
}

// EML writes raw, a mail message, as an .eml file: the message's bytes as they
// are, ending in a line break.
func EML(w io.Writer, raw []byte) error {
	if _, err := w.Write(raw); err != nil {
		return fmt.Errorf("export: eml: %w", err)
	}
	if len(raw) > 0 && raw[len(raw)-1] != '\n' {
		if _, err := io.WriteString(w, "\r\n"); err != nil {
			return fmt.Errorf("export: eml: %w", err)
		}
	}
	return nil
}

// Mails finds the mail messages of convs: those sent with SMTP's DATA or BDAT
// (RFC 5321 §4.1.1.4, RFC 3030), retrieved with POP3's RETR (RFC 1939 §5) and
// fetched whole with IMAP's FETCH BODY[] or RFC822 (RFC 9051 §6.4.5), read from
// the bytes the taps saw. After STARTTLS (or STLS) the bytes are encrypted; there
// the analyzers' decrypted messages are used (the lab keeps up to 1 MiB of each
// SMTP DATA section or POP3 answer, 64 KiB of an IMAP literal). How mail crosses
// each conversation comes from its protocol's description in reg
// (lab.Protocol.Mail). Oldest first.
func Mails(reg *lab.Registry, convs []lab.ConvInfo, events []lab.Event) []Mail {
	evs := byConv(events)
	var out []Mail
	for _, c := range convs {
		e := evs[c.ID]
		if len(e) == 0 {
			continue
		}
		p := reg.Lookup(c.Protocol)
		if p == nil {
			continue
		}
		switch p.Mail {
		case lab.MailSMTP:
			out = append(out, smtpMails(c, e)...)
		case lab.MailPOP3:
			out = append(out, pop3Mails(c, streams(e), false)...)
			if st, ok := decrypted(e, p.LayerName()); ok {
				out = append(out, pop3Mails(c, st, true)...)
			}
		case lab.MailIMAP:
			out = append(out, imapMails(c, streams(e)[lab.ServerToClient])...)
			if st, ok := decrypted(e, p.LayerName()); ok {
				out = append(out, imapMails(c, st[lab.ServerToClient])...)
			}
		}
	}
	return out
}

// nextLine returns the line at b[off:] without its line end, and where the next begins.
func nextLine(b []byte, off int) (string, int, bool) {
	i := bytes.IndexByte(b[off:], '\n')
	if i < 0 {
		return "", off, false
	}
	return strings.TrimSuffix(string(b[off:off+i]), "\r"), off + i + 1, true
}

// Unstuff reads a dot-terminated block at b[off:] (SMTP's DATA section, a POP3
// multi-line response): lines up to one holding a single ".", with the leading
// dot of dot-stuffed lines removed (RFC 5321 §4.5.2, RFC 1939 §3). It returns the
// text with CRLF line ends, where the block ends, and whether its "." line is in b.
func Unstuff(b []byte, off int) (text []byte, end int, complete bool) {
	for off < len(b) {
		i := bytes.IndexByte(b[off:], '\n')
		if i < 0 {
			return append(text, b[off:]...), len(b), false
		}
		l := bytes.TrimSuffix(b[off:off+i], []byte("\r"))
		off += i + 1
		if len(l) == 1 && l[0] == '.' {
			return text, off, true
		}
		if len(l) > 0 && l[0] == '.' {
			l = l[1:]
		}
		text = append(text, l...)
		text = append(text, '\r', '\n')
	}
	return text, off, false
}

func verb(line string) (string, string) {
	v, arg, _ := strings.Cut(line, " ")
	return strings.ToUpper(v), strings.TrimSpace(arg)
}

// path is the address of "FROM:<a@b> SIZE=1" or "TO:<a@b>".
func path(arg string) string {
	_, a, _ := strings.Cut(arg, ":")
	a = strings.TrimSpace(a)
	if i := strings.IndexByte(a, '>'); strings.HasPrefix(a, "<") && i > 0 {
		return a[1:i]
	}
	a, _, _ = strings.Cut(a, " ")
	return a
}

// smtpMails reads the messages a client sent over one SMTP connection.
func smtpMails(c lab.ConvInfo, evs []lab.Event) []Mail {
	st := streams(evs)
	cs := st[lab.ClientToServer]
	var out []Mail
	var from string
	var to []string
	var tlsAt time.Time
	var bdat []byte
	add := func(raw []byte, complete bool, at time.Time) {
		out = append(out, Mail{Conv: c.ID, Source: lab.MailSMTP, At: at, From: from, To: to, Raw: raw, Complete: complete})
		from, to = "", nil
	}
	for off := 0; off < len(cs.b); {
		line, next, ok := nextLine(cs.b, off)
		if !ok {
			break
		}
		v, arg := verb(line)
		off = next
		switch v {
		case "MAIL":
			from, to, bdat = path(arg), nil, nil
		case "RCPT":
			to = append(to, path(arg))
		case "RSET":
			from, to, bdat = "", nil, nil
		case "DATA":
			text, end, complete := Unstuff(cs.b, off)
			add(text, complete, cs.at(max(off, end-1)).At)
			off = end
		case "BDAT":
			f := strings.Fields(arg)
			if len(f) == 0 {
				continue
			}
			n, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil || n < 0 {
				continue
			}
			have := min(n, int64(len(cs.b)-off))
			bdat = append(bdat, cs.b[off:off+int(have)]...)
			off += int(have)
			if last := len(f) > 1 && strings.EqualFold(f[1], "LAST"); last || have < n {
				add(bdat, have == n, cs.at(max(0, off-1)).At)
				bdat = nil
			}
		case "STARTTLS":
			tlsAt = cs.at(next - 1).At
			off = len(cs.b)
		}
	}
	if tlsAt.IsZero() {
		return out
	}
	// After STARTTLS: the SMTP analyzer's decrypted DATA sections (RFC 5321
	// §4.1.1.4's section holding an RFC 5322 message; the DATA command cites only the former).
	for _, e := range evs {
		m := e.Msg
		if e.Kind != lab.KindMessage || m == nil || e.Dir != lab.ClientToServer || !e.At.After(tlsAt) ||
			!strings.HasPrefix(m.Ref, "RFC 5321 §4.1.1.4") || !strings.Contains(m.Ref, "RFC 5322") || e.Layer == "tls" {
			continue
		}
		text, _, complete := Unstuff(m.Raw, 0)
		out = append(out, Mail{Conv: c.ID, Source: lab.MailSMTP, At: e.At, Raw: text, Complete: complete})
	}
	return out
}

// pop3Mails reads the messages a POP3 server sent in answer to RETR: each command
// line is answered by one status line, multi-line answers ending with ".".
// After STLS the greeting is not repeated: greeted says the streams begin
// with the first command and its answer.
func pop3Mails(c lab.ConvInfo, st [3]*stream, greeted bool) []Mail {
	cs, sc := st[lab.ClientToServer], st[lab.ServerToClient]
	soff := 0
	if !greeted {
		var ok bool
		if _, soff, ok = nextLine(sc.b, 0); !ok { // the greeting
			return nil
		}
	}
	var out []Mail
	for coff := 0; coff < len(cs.b) && soff < len(sc.b); {
		line, next, ok := nextLine(cs.b, coff)
		if !ok {
			break
		}
		coff = next
		v, arg := verb(line)
		status, after, ok := nextLine(sc.b, soff)
		if !ok {
			break
		}
		soff = after
		if !strings.HasPrefix(status, "+OK") {
			continue
		}
		multi := v == "RETR" || v == "TOP" || v == "CAPA" || (v == "LIST" || v == "UIDL") && arg == ""
		if !multi {
			if v == "STLS" {
				break
			}
			continue
		}
		text, end, complete := Unstuff(sc.b, soff)
		if v == "RETR" {
			out = append(out, Mail{Conv: c.ID, Source: lab.MailPOP3, At: sc.at(max(soff, end-1)).At, Raw: text, Complete: complete})
		}
		soff = end
	}
	return out
}

// imapMails reads the whole messages an IMAP server sent in FETCH responses:
// BODY[], BODY.PEEK[] answers, BINARY[] and RFC822, each a literal {n}.
func imapMails(c lab.ConvInfo, sc *stream) []Mail {
	upper := asciiUpper(sc.b) // same length as sc.b, so offsets carry over
	var out []Mail
	for off := 0; off < len(sc.b); {
		i := bytes.Index(upper[off:], []byte(" FETCH ("))
		if i < 0 {
			break
		}
		start := off + i
		lineEnd := bytes.IndexByte(sc.b[start:], '\n')
		if lineEnd < 0 {
			break
		}
		off = start + lineEnd + 1
		head := upper[start : start+lineEnd]
		var item []byte
		for _, name := range [][]byte{[]byte("BODY[] {"), []byte("BINARY[] {"), []byte("RFC822 {")} {
			if j := bytes.LastIndex(head, name); j >= 0 {
				item = head[j+len(name):]
				break
			}
		}
		if item == nil || !bytes.HasSuffix(bytes.TrimRight(item, "\r"), []byte("}")) {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSuffix(string(bytes.TrimRight(item, "\r")), "}"), "+"))
		if err != nil || n < 0 {
			continue
		}
		have := min(n, len(sc.b)-off)
		out = append(out, Mail{Conv: c.ID, Source: lab.MailIMAP, At: sc.at(max(off, off+have-1)).At,
			Raw: bytes.Clone(sc.b[off : off+have]), Complete: have == n})
		off += have
	}
	return out
}

// asciiUpper returns b with a–z made A–Z and every other byte as it is:
// bytes.ToUpper would turn invalid UTF-8 into longer replacement characters, and
// offsets in the copy would no longer be offsets in b.
func asciiUpper(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// decrypted rebuilds a conversation's byte streams after its switch to TLS from
// the analyzer's decrypted messages of layer (their Raw, in order), for the mail
// finders to read as they read plain bytes. ok is false when there was no TLS.
func decrypted(evs []lab.Event, layer string) (st [3]*stream, ok bool) {
	for _, d := range []lab.Dir{lab.ClientToServer, lab.ServerToClient} {
		st[d] = &stream{}
	}
	for i := range evs {
		e := &evs[i]
		if e.Layer == "tls" {
			ok = true
			continue
		}
		m := e.Msg
		if !ok || m == nil || e.Layer != layer || len(m.Raw) == 0 || !m.Observed ||
			(e.Dir != lab.ClientToServer && e.Dir != lab.ServerToClient) {
			continue
		}
		s := st[e.Dir]
		s.offs = append(s.offs, len(s.b))
		s.ats = append(s.ats, lab.Event{At: e.At, Seq: e.Seq})
		s.b = append(s.b, m.Raw...)
	}
	return st, ok
}
