package pop3

import (
	"bytes"
	"mime"
	"net/mail"
	"strings"
)

// maxHeaderScan bounds the bytes of a mail the analyzer reads its headers from.
const maxHeaderScan = 64 << 10

// MailInfo is what a message's headers say about it, for the inspector.
type MailInfo struct {
	From, To, Subject, Date, MessageID string
}

var wordDecoder = mime.WordDecoder{} // without CharsetReader: UTF-8, ISO-8859-1 and US-ASCII

// ParseMailInfo reads the headers at the start of raw (a mail as RFC 5322 sends
// it), decoding encoded words (RFC 2047) in From, To and Subject. Missing or
// malformed headers are left empty.
func ParseMailInfo(raw []byte) MailInfo {
	raw = raw[:min(len(raw), maxHeaderScan)]
	// Headers end at the first empty line; a truncated scan still yields the
	// complete ones before it.
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		raw = raw[:i+4]
	} else if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
		raw = raw[:i+2]
	} else if i := bytes.LastIndexByte(raw, '\n'); i >= 0 {
		raw = append(raw[:i+1:i+1], '\r', '\n')
	} else {
		return MailInfo{}
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return MailInfo{}
	}
	h := m.Header
	return MailInfo{
		From:      decode(h.Get("From")),
		To:        decode(h.Get("To")),
		Subject:   decode(h.Get("Subject")),
		Date:      oneLine(h.Get("Date")),
		MessageID: oneLine(h.Get("Message-Id")),
	}
}

func decode(s string) string {
	if d, err := wordDecoder.DecodeHeader(s); err == nil {
		s = d
	}
	return oneLine(s)
}

// oneLine keeps a header value printable on one line, and short.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "…"
	}
	return s
}
