package smtp

import (
	"testing"
	"time"
)

// BenchmarkSession measures the analyzer on a whole SMTP session (the one
// TestSession reads): greeting, EHLO, two AUTHs, a mail with its body, a
// refused recipient, RSET and QUIT. An op is the session.
//
//	go test -run '^$' -bench Session -benchmem ./protocols/smtp/
func BenchmarkSession(b *testing.B) {
	steps := make([][]byte, len(sessionSteps))
	for i, s := range sessionSteps {
		steps[i] = []byte(s.Data)
	}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		a := NewAnalyzer()
		for i, s := range sessionSteps {
			a.Feed(s.Dir, steps[i], now)
		}
	}
}

// mailSteps is one mail transaction as go-smtp's client and server exchange
// it: what BenchmarkAccept of servers/smtpserver sends again and again.
var mailSteps = []step{
	{c2s, "MAIL FROM:<bob@beta.test>\r\n"},
	{s2c, "250 2.0.0 Roger, accepting mail from <bob@beta.test>\r\n"},
	{c2s, "RCPT TO:<alice@alpha.test>\r\n"},
	{s2c, "250 2.0.0 I'll make sure <alice@alpha.test> gets this\r\n"},
	{c2s, "DATA\r\n"},
	{s2c, "354 2.0.0 Go ahead. End your data with <CR><LF>.<CR><LF>\r\n"},
	{c2s, "From: bob@beta.test\r\nTo: alice@alpha.test\r\nSubject: bench\r\n\r\nA short message.\r\n.\r\n"},
	{s2c, "250 2.0.0 OK: queued\r\n"},
}

// BenchmarkMail measures the analyzer on one mail transaction of a session
// that sends many. An op is the transaction: 8 messages.
//
//	go test -run '^$' -bench Mail -benchmem ./protocols/smtp/
func BenchmarkMail(b *testing.B) {
	steps := make([][]byte, len(mailSteps))
	for i, s := range mailSteps {
		steps[i] = []byte(s.Data)
	}
	now := time.Now()
	a := NewAnalyzer()
	a.Feed(s2c, []byte("220 alpha.test ESMTP Service Ready\r\n"), now)
	a.Feed(c2s, []byte("EHLO bench.lab.test\r\n"), now)
	a.Feed(s2c, []byte("250-Hello bench.lab.test\r\n250-PIPELINING\r\n250 SIZE 10485760\r\n"), now)
	b.ReportAllocs()
	for b.Loop() {
		for i, s := range mailSteps {
			if len(a.Feed(s.Dir, steps[i], now)) != 1 {
				b.Fatalf("step %d: not one message", i)
			}
		}
	}
}
