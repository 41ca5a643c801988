package nats

import (
	"slices"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// FuzzNATS feeds scripts of chunks (analyzertest.Script) to an analyzer, then
// closes the connection, and checks that it never panics, holds no more than
// its bound, gives every message a summary and spans within its bytes, and
// moves only along Transitions.
func FuzzNATS(f *testing.F) {
	for _, tt := range captureTests {
		steps := capture(f, tt.file)
		f.Add(analyzertest.Script(steps...))
		f.Add(analyzertest.Script(steps[:len(steps)/2]...))
	}
	for _, tt := range malformedTests {
		f.Add(analyzertest.Script(append(slices.Clone(hello), tt.bad, ping)...))
	}
	f.Add(analyzertest.Script(step{c2s, "HPUB a r 12 14\r\nNATS/1.0\r\n\r\nhi\r\n"}, step{s2c, "HMSG a 1 16 16\r\nNATS/1.0 503\r\n\r\n\r\n"}))
	f.Fuzz(func(t *testing.T, script []byte) {
		a := NewAnalyzer()
		state := a.State()
		check := func(msgs []lab.Message) {
			for _, m := range msgs {
				if m.Summary == "" || len(m.Raw) > maxHeld {
					t.Fatalf("message %q with %d raw bytes", m.Summary, len(m.Raw))
				}
			}
			analyzertest.CheckSpans(t, msgs)
			if s := a.State(); s != state {
				if !slices.Contains(Transitions, [2]string{state, s}) {
					t.Fatalf("state %q → %q is not a transition", state, s)
				}
				state = s
			}
			if a.Pending(c2s) > maxHeld || a.Pending(s2c) > maxHeld {
				t.Fatalf("pending %d, %d", a.Pending(c2s), a.Pending(s2c))
			}
		}
		analyzertest.Play(a, script, check)
		check(a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN}))
		check(a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN}))
	})
}
