package smtp

import (
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// FuzzAnalyzer feeds scripted conversations: each chunk is a header byte
// (length<<1 | direction) and that many bytes.
func FuzzAnalyzer(f *testing.F) {
	f.Add(script(sessionSteps...))
	f.Add(script(step{s2c, "220 x\r\n"}, step{c2s, "STARTTLS\r\n"}, step{s2c, "220 go\r\n"}, step{c2s, "\x16\x03\x01\x00\x05hello"}))
	f.Add(script(step{c2s, "BDAT 5 LAST\r\nabcdeQUIT\r\n"}, step{s2c, "250 ok\r\n221 bye\r\n"}))
	f.Add(script(step{c2s, "DATA\r\n"}, step{s2c, "354 go\r\n"}, step{c2s, ".\r\n"}, step{s2c, "250 ok\r\n"}))
	f.Add(script(step{c2s, "AUTH PLAIN\r\n"}, step{s2c, "334 \r\n"}, step{c2s, "AGEAYg==\r\n"}, step{s2c, "235 ok\r\n"}))
	f.Fuzz(func(t *testing.T, data []byte) {
		a := NewAnalyzer()
		a.Opened(lab.OpenInfo{})
		now := time.Now()
		for len(data) > 0 {
			h := data[0]
			n := min(int(h>>1), len(data)-1)
			dir := lab.ClientToServer
			if h&1 == 1 {
				dir = lab.ServerToClient
			}
			chunk := append([]byte(nil), data[1:1+n]...)
			data = data[1+n:]
			for _, m := range a.Feed(dir, chunk, now) {
				if m.Summary == "" {
					t.Fatalf("a message without a summary: %+v", m)
				}
			}
			a.State()
		}
		a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN})
	})
}

func FuzzParseReply(f *testing.F) {
	f.Add([]byte("250-a\r\n250 2.0.0 b\r\n"))
	f.Add([]byte("550 5.7.1 no\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, n, err := ParseReply(b)
		if n > len(b) || n < 0 {
			t.Fatalf("n = %d of %d", n, len(b))
		}
		if err == nil && (r.Code < 200 || r.Code > 599 || len(r.Lines) == 0) {
			t.Fatalf("bad reply %+v", r)
		}
	})
}
