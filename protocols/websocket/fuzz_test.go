package websocket

import (
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// script encodes steps for the fuzz tests (analyzertest.Script).
func script(steps ...step) []byte { return analyzertest.Script(steps...) }

// play feeds a script to a, closes the connection and checks the bounds.
func play(t *testing.T, a *Analyzer, data []byte) {
	var out []lab.Message
	analyzertest.Play(a, data, func(msgs []lab.Message) {
		out = append(out, msgs...)
		for _, d := range []lab.Dir{c2s, s2c} {
			if p := a.Pending(d); p > 2*64<<10+16<<10 {
				t.Fatalf("pending %v = %d", d, p)
			}
		}
		_ = a.State()
	})
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
		if len(tt.steps) > 2 && tt.steps[1].Data == switching {
			f.Add(script(tt.steps[2:]...))
		}
	}
	f.Add(script(step{s2c, sessionTests[1].steps[1].Data[len(switching):]}))
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
