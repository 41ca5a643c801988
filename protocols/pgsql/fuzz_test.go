package pgsql

import (
	"slices"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// FuzzPgsql feeds scripts of chunks (analyzertest.Script) both ways to an
// analyzer, then closes the connection, and checks that it never panics,
// holds no more than a message, gives every message a summary and spans
// within its bytes, and that every message's move is one of Transitions
// (several may come of one Feed: AuthenticationOk and ReadyForQuery in one
// segment).
func FuzzPgsql(f *testing.F) {
	for _, tt := range conversationTests {
		steps := tt.steps(f)
		f.Add(analyzertest.Script(steps...))
		f.Add(analyzertest.Script(steps[:len(steps)/2]...))
	}
	for _, tt := range captureTests {
		steps := capture(f, tt.file)
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
		state := ""
		check := func(msgs []lab.Message) {
			for _, m := range msgs {
				if m.Summary == "" || len(m.Raw) > MaxMessage {
					t.Fatalf("message %q with %d raw bytes", m.Summary, len(m.Raw))
				}
				if m.NextState == "" || m.Layer != "" {
					continue
				}
				// The first byte starts the session silently (lab.Machine.Start).
				if !slices.Contains(Transitions, [2]string{state, m.NextState}) &&
					!(state == "" && slices.Contains(Transitions, [2]string{StateStartup, m.NextState})) {
					t.Fatalf("%q moves %q → %q, not a transition", m.Summary, state, m.NextState)
				}
				state = m.NextState
			}
			analyzertest.CheckSpans(t, msgs)
			for _, d := range []lab.Dir{c2s, s2c} {
				if p := a.Pending(d); p > MaxMessage {
					t.Fatalf("%d bytes pending %v", p, d)
				}
			}
		}
		analyzertest.Play(a, script, check)
		check(a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN}))
		check(a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN}))
	})
}
