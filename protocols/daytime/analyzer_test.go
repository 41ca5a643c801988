package daytime

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

type step analyzertest.Step

const (
	c2s = lab.ClientToServer
	s2c = lab.ServerToClient
)

var analyzerTests = []struct {
	name      string
	steps     []step
	summaries []string
	states    []string
}{
	{"a line", []step{{s2c, "Saturday, December 5, 2026 02:49:38-UTC\r\n"}},
		[]string{"daytime: Saturday, December 5, 2026 02:49:38-UTC"}, []string{StateAnswered}},
	{"a bare line feed", []step{{s2c, "Sat Dec  5 02:49:38 2026\n"}},
		[]string{"daytime: Sat Dec  5 02:49:38 2026"}, []string{StateAnswered}},
	{"the client talks", []step{{c2s, "hello?\r\n"}, {s2c, "now\r\n"}},
		[]string{"thrown away: hello?", "daytime: now"}, []string{StateAnswered}},
	{"more after the answer", []step{{s2c, "now\r\nand more\n"}},
		[]string{"daytime: now", "after the answer: and more"}, []string{StateAnswered}},
	{"no line end yet", []step{{s2c, "no end"}}, nil, nil},
	{"overlong", []step{{s2c, strings.Repeat("x", MaxLineBytes+1)}},
		[]string{"a line longer than 512 bytes"}, nil},
}

func TestAnalyzer(t *testing.T) {
	for _, tt := range analyzerTests {
		for _, n := range []int{0, 1, 3} {
			a := NewAnalyzer()
			msgs := analyzertest.Feed(a, tt.steps, n)
			if got := analyzertest.Summaries(msgs); !slices.Equal(got, tt.summaries) {
				t.Errorf("%s (chunks of %d): summaries = %q, want %q", tt.name, n, got, tt.summaries)
			}
			if got := analyzertest.States(msgs); !slices.Equal(got, tt.states) {
				t.Errorf("%s (chunks of %d): states = %q, want %q", tt.name, n, got, tt.states)
			}
		}
	}
}

// TestClosed: an answer cut off by the server's close is still the answer, and
// the session ends closed once, whichever end closes.
func TestClosed(t *testing.T) {
	a := NewAnalyzer()
	a.Opened(lab.OpenInfo{})
	if a.State() != StateConnected {
		t.Fatalf("state after the open = %q, want %q", a.State(), StateConnected)
	}
	a.Feed(s2c, []byte("Sat Dec  5"), time.Time{})
	msgs := a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN, First: true})
	if got := analyzertest.Summaries(msgs); !slices.Equal(got, []string{"daytime: Sat Dec  5"}) {
		t.Errorf("at the close: %q, want the answer without a line end", got)
	}
	if got := analyzertest.States(msgs); !slices.Equal(got, []string{StateAnswered}) {
		t.Errorf("states at the close = %q, want answered", got)
	}
	if msgs := a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN}); len(msgs) != 0 {
		t.Errorf("the second close said %q, want nothing", analyzertest.Summaries(msgs))
	}
	if a.State() != StateClosed {
		t.Errorf("state = %q, want %q", a.State(), StateClosed)
	}
}

// TestTransitions: every move the analyzer makes is one the protocol declares.
func TestTransitions(t *testing.T) {
	allowed := map[[2]string]bool{}
	for _, tr := range Protocol().Transitions {
		allowed[tr] = true
	}
	a := NewAnalyzer()
	from := ""
	check := func(msgs []lab.Message) {
		for _, to := range analyzertest.States(msgs) {
			if from != "" && !allowed[[2]string{from, to}] {
				t.Errorf("move %s → %s is not declared", from, to)
			}
			from = to
		}
	}
	a.Opened(lab.OpenInfo{})
	from = a.State()
	check(a.Feed(s2c, []byte("now\r\n"), time.Time{}))
	check(a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN, First: true}))
	check([]lab.Message{{NextState: a.State()}})
}
