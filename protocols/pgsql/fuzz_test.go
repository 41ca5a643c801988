package pgsql

import (
	"slices"
	"testing"

	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// FuzzPgsql feeds scripts of chunks (analyzertest.Script) both ways to an
// analyzer, then closes the connection, and checks that it never panics,
// holds no more than a message, gives every message a summary and spans
// within its bytes, and moves only along Transitions.
func FuzzPgsql(f *testing.F) {
	for _, tt := range conversationTests {
		steps := tt.steps(f)
		f.Add(analyzertest.Script(steps...))
		f.Add(analyzertest.Script(steps[:len(steps)/2]...))
	}
	for _, tt := range malformedTests {
		f.Add(analyzertest.Script(append(login(f), tt.bad, step{c2s, "S\x00\x00\x00\x04"})...))
	}
	for _, tt := range startupTests {
		f.Add(analyzertest.Script(step{c2s, tt.first}))
	}
	f.Add(analyzertest.Script(append(slices.Clone(sslNo(f)[:1]), step{s2c, "S"}, step{c2s, "\x16\x03\x01\x00\x05hello"})...))
	f.Fuzz(func(t *testing.T, script []byte) {
		a := NewAnalyzer()
		analyzertest.Fuzz(t, a, script, Transitions, MaxMessage)
	})
}
