// Package analyzertest holds what the protocol analyzers' tests share: a
// conversation as steps, fed whole or in small chunks (framing must not depend
// on how the bytes arrive), and the scripts their fuzz tests decode.
package analyzertest

import (
	"slices"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// Step is bytes that went one way.
type Step struct {
	Dir  lab.Dir
	Data string
}

// Steps is what a test's own step type must be: a Step by another name (a
// package's own type lets its tables use unkeyed literals, {s2c, "220 hi\r\n"}).
type Steps interface {
	~struct {
		Dir  lab.Dir
		Data string
	}
}

// Feed feeds steps to a in chunks of n bytes (n ≤ 0: each step whole), each chunk
// a fresh slice (Feed owns it), and returns the messages, their fields and
// meanings built (lab.Message.Built).
func Feed[S Steps](a lab.Analyzer, steps []S, n int) []lab.Message {
	var msgs []lab.Message
	for _, st := range steps {
		s := Step(st)
		for d := s.Data; d != ""; {
			k := len(d)
			if n > 0 {
				k = min(n, len(d))
			}
			for _, m := range a.Feed(s.Dir, []byte(d[:k]), time.Time{}) {
				msgs = append(msgs, *m.Built())
			}
			d = d[k:]
		}
	}
	return msgs
}

// Expect feeds steps whole to a and checks that its messages' summaries are
// want; it returns the messages.
func Expect[S Steps](t testing.TB, a lab.Analyzer, steps []S, want ...string) []lab.Message {
	t.Helper()
	msgs := Feed(a, steps, 0)
	if got := Summaries(msgs); !slices.Equal(got, want) {
		t.Errorf("messages\n%q, want\n%q", got, want)
	}
	return msgs
}

// Summaries lists the messages' summaries.
func Summaries(msgs []lab.Message) []string {
	var s []string
	for _, m := range msgs {
		s = append(s, m.Summary)
	}
	return s
}

// States lists the states the messages move to, in order.
func States(msgs []lab.Message) []string {
	var s []string
	for _, m := range msgs {
		if m.NextState != "" {
			s = append(s, m.NextState)
		}
	}
	return s
}

// Script encodes steps for a FuzzAnalyzer: a header byte per chunk (bit 0 the
// direction, 1 for server to client; the rest the length, up to 127), then the
// chunk. Play decodes it.
func Script[S Steps](steps ...S) []byte {
	var b []byte
	for _, st := range steps {
		s := Step(st)
		for d := s.Data; ; {
			n := min(len(d), 127)
			h := byte(n << 1)
			if s.Dir == lab.ServerToClient {
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

// Play feeds the chunks of script (see Script; a short last chunk is fed as it
// is) to a, each a fresh slice, and passes each Feed's messages to check,
// having had each build its fields and meaning (lab.Message.Detail), as a
// reader that opens it does: what an analyzer leaves to be built when
// someone looks is fuzzed with the rest.
func Play(a lab.Analyzer, script []byte, check func([]lab.Message)) {
	for len(script) > 0 {
		h := script[0]
		n := min(int(h>>1), len(script)-1)
		dir := lab.ClientToServer
		if h&1 != 0 {
			dir = lab.ServerToClient
		}
		msgs := a.Feed(dir, append([]byte(nil), script[1:1+n]...), time.Time{})
		for i := range msgs {
			msgs[i].Detail()
		}
		check(msgs)
		script = script[1+n:]
	}
}
