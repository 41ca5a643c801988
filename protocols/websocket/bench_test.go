package websocket

import (
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// BenchmarkAnalyze measures the analyzer on an echo server's traffic: a
// masked 128-byte text frame from the client, and its echo, unmasked. An op is
// one frame.
//
//	go test -run '^$' -bench Analyze -benchmem ./protocols/websocket/
func BenchmarkAnalyze(b *testing.B) {
	a := NewAnalyzer()
	analyzertest.Feed(a, sessionTests[0].steps[:2], 0)
	msg := []byte(strings.Repeat("m", 128))
	in, out := frameBytes(true, opText, key, msg), frameBytes(true, opText, nil, msg)
	now := time.Now()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			a.Feed(c2s, in, now)
		} else {
			a.Feed(s2c, out, now)
		}
	}
}
