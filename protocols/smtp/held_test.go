package smtp

import (
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// TestHeldBytesBounded checks that the client's bytes held until a reply says
// how they are framed (after DATA) are bounded like any unframed bytes: a client
// that sends its message before the 354 costs no more than maxHeld.
func TestHeldBytesBounded(t *testing.T) {
	a := NewAnalyzer()
	a.Feed(c2s, []byte("DATA\r\n"), time.Time{})
	var msgs []string
	line := strings.Repeat("x", 1000) + "\r\n"
	for range 100 {
		msgs = append(msgs, analyzertest.Summaries(a.Feed(c2s, []byte(line), time.Time{}))...)
		if held := a.buf[c2s].Held(); held > maxHeld+len(line) {
			t.Fatalf("holds %d bytes waiting for the reply to DATA, bound %d", held, maxHeld)
		}
	}
	if len(msgs) != 1 || !strings.HasSuffix(msgs[0], "bytes sent before the reply to DATA") {
		t.Errorf("messages %q, want one that says the held bytes were dropped", msgs)
	}
	// The reply frees what comes next: the message.
	a.Feed(s2c, []byte("354 go ahead\r\n"), time.Time{})
	got := analyzertest.Summaries(a.Feed(c2s, []byte("Subject: hi\r\n\r\nbody\r\n.\r\n"), time.Time{}))
	if len(got) != 1 || !strings.HasPrefix(got[0], `message "hi"`) {
		t.Errorf("after the 354: %q, want the message", got)
	}
}
