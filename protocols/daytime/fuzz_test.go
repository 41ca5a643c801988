package daytime

import (
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// FuzzAnalyzer: whatever bytes cross a daytime connection, the analyzer frames
// them without panicking, every message is in one direction, and its states are
// the protocol's own.
func FuzzAnalyzer(f *testing.F) {
	for _, tt := range analyzerTests {
		f.Add(analyzertest.Script(tt.steps...))
	}
	known := map[string]bool{}
	for _, s := range States {
		known[s] = true
	}
	f.Fuzz(func(t *testing.T, script []byte) {
		a := NewAnalyzer()
		check := func(msgs []lab.Message) {
			for _, m := range msgs {
				if m.Dir != lab.ClientToServer && m.Dir != lab.ServerToClient {
					t.Fatalf("message %q has no direction", m.Summary)
				}
				if m.NextState != "" && !known[m.NextState] {
					t.Fatalf("message %q moves to %q, not a state of daytime", m.Summary, m.NextState)
				}
			}
		}
		analyzertest.Play(a, script, check)
		check(a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN, First: true}))
	})
}
