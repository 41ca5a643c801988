package websocket

import (
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// script encodes steps for the fuzz tests: each starts with a header byte whose
// bit 0 is the direction (0 client→server) and whose upper seven bits are the
// length, then its bytes.
func script(steps ...step) []byte {
	var b []byte
	for _, s := range steps {
		for d := s.data; ; {
			n := min(len(d), 127)
			h := byte(n << 1)
			if s.dir == s2c {
				h |= 1
			}
			b = append(b, h)
			b = append(b, d[:n]...)
			if d = d[n:]; d == "" {
				break
			}
		}
	}
	return b
}

// play feeds a script to a, closes the connection and checks the bounds.
func play(t *testing.T, a *Analyzer, data []byte) {
	var out []lab.Message
	for len(data) > 0 {
		h := data[0]
		n := min(int(h>>1), len(data)-1)
		dir := c2s
		if h&1 != 0 {
			dir = s2c
		}
		b := append([]byte(nil), data[1:1+n]...)
		data = data[1+n:]
		out = append(out, a.Feed(dir, b, time.Time{})...)
		for _, d := range []lab.Dir{c2s, s2c} {
			if p := a.Pending(d); p > 2*64<<10+16<<10 {
				t.Fatalf("pending %v = %d", d, p)
			}
		}
		_ = a.State()
	}
	out = append(out, a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN})...)
	out = append(out, a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN})...)
	for _, m := range out {
		if len(m.Raw) > 64<<10 || m.Summary == "" {
			t.Fatalf("message %q with %d raw bytes", m.Summary, len(m.Raw))
		}
	}
}

// FuzzFrames feeds arbitrary bytes in both directions after a valid handshake.
func FuzzFrames(f *testing.F) {
	for _, tt := range sessionTests {
		if len(tt.steps) > 2 && tt.steps[1].data == switching {
			f.Add(script(tt.steps[2:]...))
		}
	}
	f.Add(script(step{s2c, sessionTests[1].steps[1].data[len(switching):]}))
	f.Add(script(step{c2s, s(frameBytes(true, opText, key, make([]byte, 70000)))}))
	f.Add(script(step{c2s, s(frameBytes(false, opText, key, []byte("\xe2\x82"))) + s(frameBytes(true, opContinuation, key, []byte("\xac")))}))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, a := range []*Analyzer{NewAnalyzer(), NewHTTPAnalyzer()} {
			a.Feed(c2s, []byte(upgradeGET), time.Time{})
			a.Feed(s2c, []byte(switching), time.Time{})
			play(t, a, data)
			if got := a.WebSocketState(); got != StateClosed {
				t.Fatalf("state after close = %q", got)
			}
		}
	})
}

// FuzzHandshake feeds arbitrary bytes from the start, where the handshake is.
func FuzzHandshake(f *testing.F) {
	for _, tt := range sessionTests {
		f.Add(script(tt.steps...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		play(t, NewAnalyzer(), data)
		play(t, NewHTTPAnalyzer(), data)
	})
}
