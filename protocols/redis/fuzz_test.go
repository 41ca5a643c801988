package redis

import (
	"testing"

	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// FuzzRESP feeds scripts of chunks (analyzertest.Script) to an analyzer, then
// closes the connection, and checks that it never panics, holds no more than
// its bound, gives every message a summary and spans within its bytes, and
// moves only along Transitions.
func FuzzRESP(f *testing.F) {
	for _, tt := range sessionTests {
		f.Add(analyzertest.Script(tt.steps...))
		f.Add(analyzertest.Script(tt.steps[:len(tt.steps)/2]...))
	}
	for _, tt := range malformedTests {
		f.Add(analyzertest.Script(step{c2s, cmd("GET", "k")}, tt.bad, step{c2s, cmd("PING")}))
	}
	f.Add(analyzertest.Script(step{c2s, "*1\r\n$9999999999\r\n"}, step{s2c, "*2\r\n$5000000\r\nab"}))
	f.Fuzz(func(t *testing.T, script []byte) {
		analyzertest.Fuzz(t, NewAnalyzer(), script, Transitions, maxHeld)
	})
}
