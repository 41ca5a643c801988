package analyzertest

import (
	"slices"
	"testing"

	"github.com/protocollab/protolab/lab"
)

// Bounded is an analyzer that says how many bytes it holds for a direction.
type Bounded interface {
	lab.ConnAnalyzer
	Pending(dir lab.Dir) int
}

// Fuzz plays script (see Script) to a, then closes the connection from both
// ends, and fails t unless every message has a summary, at most bound raw
// bytes and its fields' spans within them (CheckSpans), a never holds more
// than bound bytes of a direction, and its state moves only along
// transitions: what a fuzz test of a connection's analyzer checks.
func Fuzz(t testing.TB, a Bounded, script []byte, transitions [][2]string, bound int) {
	t.Helper()
	state := a.State()
	check := func(msgs []lab.Message) {
		for i, m := range msgs {
			if m.Summary == "" || len(m.Raw) > bound {
				t.Fatalf("message %q with %d raw bytes", m.Summary, len(m.Raw))
			}
			msgs[i] = *m.Built() // deferred fields are built, and checked, as the inspector shows them
		}
		CheckSpans(t, msgs)
		if s := a.State(); s != state {
			if !slices.Contains(transitions, [2]string{state, s}) {
				t.Fatalf("state %q → %q is not a transition", state, s)
			}
			state = s
		}
		for _, d := range []lab.Dir{lab.ClientToServer, lab.ServerToClient} {
			if p := a.Pending(d); p > bound {
				t.Fatalf("%d bytes pending %v, bound %d", p, d, bound)
			}
		}
	}
	Play(a, script, check)
	check(a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN}))
	check(a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN}))
}

// Subjects lists the subjects of the messages marked as publications (lab.Publication), in order.
func Subjects(msgs []lab.Message) []string {
	var s []string
	for _, m := range msgs {
		if m.Pub != nil {
			s = append(s, m.Pub.Subject)
		}
	}
	return s
}
