package smtpserver

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// traceID names one accepted message in the Received lines of this server,
// as a mail server's queue ID does.
func traceID() string {
	var b [6]byte
	rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// delivered is the message as it goes into rcpt's mailbox: the Return-Path of
// final delivery (RFC 5321 §4.4), this server's Received line, then body.
func (ss *session) delivered(id, rcpt string, body []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(body) + 256)
	fmt.Fprintf(&b, "Return-Path: <%s>\r\n", ss.from)
	ss.writeReceived(&b, id, rcpt)
	b.Write(body)
	return b.Bytes()
}

// relayed is the message as it is relayed to rcpts' domain: this server's
// Received line on top (the next server adds its own), naming the recipient
// when there is only one, as RFC 5321 §4.4 advises.
func (ss *session) relayed(id string, rcpts []string, body []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(body) + 256)
	var rcpt string
	if len(rcpts) == 1 {
		rcpt = rcpts[0]
	}
	ss.writeReceived(&b, id, rcpt)
	b.Write(body)
	return b.Bytes()
}

// writeReceived writes the Received trace line of RFC 5321 §4.4: the client's
// EHLO name and address, this server's name, the protocol in RFC 3848's words
// (ESMTP, with S after STARTTLS and A after AUTH), the message's id, the
// recipient (rcpt, unless ""), and the time.
func (ss *session) writeReceived(b *bytes.Buffer, id, rcpt string) {
	with := "ESMTP"
	if _, ok := ss.conn.TLSConnectionState(); ok {
		with += "S"
	}
	if ss.user != "" {
		with += "A"
	}
	helo := sanitize(ss.conn.Hostname())
	if helo == "" {
		helo = "unknown"
	}
	fmt.Fprintf(b, "Received: from %s ([%s])\r\n\tby %s with %s id %s", helo, clientIP(ss.conn.Conn()), ss.s.host, with, id)
	if rcpt != "" {
		fmt.Fprintf(b, "\r\n\tfor <%s>", rcpt)
	}
	fmt.Fprintf(b, ";\r\n\t%s\r\n", time.Now().Format(time.RFC1123Z))
}

// sanitize keeps a client's EHLO name to printable characters outside
// parentheses, so that it cannot end or fold the header.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x21 || r > 0x7e || r == '(' || r == ')' || r == ';' {
			return '_'
		}
		return r
	}, s)
}
