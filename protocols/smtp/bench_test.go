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
