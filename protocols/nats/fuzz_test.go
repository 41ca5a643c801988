package nats

import (
	"slices"
	"testing"

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
		analyzertest.Fuzz(t, NewAnalyzer(), script, Transitions, maxHeld)
	})
}
