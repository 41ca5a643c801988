package mqtt

import (
	"slices"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// FuzzMQTT feeds scripts of chunks (analyzertest.Script) to an analyzer, then
// closes the connection, and checks that it never panics, holds no more than a
// packet, gives every message a summary and spans within its bytes, and moves
// only along Transitions.
func FuzzMQTT(f *testing.F) {
	for _, tt := range captureTests {
		steps := capture(f, tt.file)
		f.Add(analyzertest.Script(steps...))
		f.Add(analyzertest.Script(steps[:len(steps)/2]...))
	}
	for _, tt := range malformedTests {
		f.Add(analyzertest.Script(append(slices.Clone(connected), tt.bad, ping)...))
	}
	f.Add(analyzertest.Script(step{c2s, pkt(0x10, str("MQTT")+"\x05\x02\x00\x3c\x00")}))
	f.Fuzz(func(t *testing.T, script []byte) {
		a := NewAnalyzer()
		state := a.State()
		check := func(msgs []lab.Message) {
			for _, m := range msgs {
				if m.Summary == "" || len(m.Raw) > MaxPacket {
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
			if a.Pending(c2s) > MaxPacket || a.Pending(s2c) > MaxPacket {
				t.Fatalf("pending %d, %d", a.Pending(c2s), a.Pending(s2c))
			}
		}
		analyzertest.Play(a, script, check)
		check(a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN}))
		check(a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN}))
	})
}
