package http

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

func TestProtocol(t *testing.T) {
	p := Protocol()
	if p.Name != "http" || p.Transport != "tcp" || p.DefaultPort != 8080 || p.NewAnalyzer == nil {
		t.Errorf("Protocol() = %+v", p)
	}
	for _, tr := range p.Transitions {
		if !slices.Contains(p.States, tr[0]) || !slices.Contains(p.States, tr[1]) {
			t.Errorf("transition %v leaves the States", tr)
		}
	}
	if p.NewAnalyzer().State() != "" {
		t.Error("a new analyzer has a state")
	}
}

func TestMeanings(t *testing.T) {
	for _, tt := range []struct {
		code       int
		ref, words string
	}{
		{404, "RFC 9110 §15.5.5", "nothing at this target"},
		{299, "RFC 9110 §15.3", "success"},
		{999, "RFC 9110 §15", "outside the classes"},
	} {
		i := statusInfo(tt.code)
		if i.ref != tt.ref || !strings.Contains(i.meaning, tt.words) {
			t.Errorf("statusInfo(%d) = %+v, want ref %q and %q", tt.code, i, tt.ref, tt.words)
		}
	}
	if i := methodInfo("BREW"); i.ref != "RFC 9110 §9.1" {
		t.Errorf("methodInfo(BREW) = %+v", i)
	}
}

// TestTransitions checks that every state change the analyzer makes, fed in
// pieces of every size, is one of the Protocol's transitions.
func TestTransitions(t *testing.T) {
	p := Protocol()
	for _, tt := range framingTests {
		for _, n := range []int{0, 1, 3, 1 << 20} {
			a := NewAnalyzer()
			a.Opened(lab.OpenInfo{})
			last := a.State()
			check := func() {
				if s := a.State(); s != last {
					if !slices.Contains(p.Transitions, [2]string{last, s}) {
						t.Errorf("%s, pieces of %d: %s → %s is not a transition", tt.name, n, last, s)
					}
					last = s
				}
			}
			for _, st := range tt.steps {
				b := []byte(st.data)
				for len(b) > 0 {
					k := len(b)
					if n > 0 {
						k = min(k, n)
					}
					a.Feed(st.dir, b[:k:k], time.Time{})
					b = b[k:]
					check()
				}
			}
			a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN})
			check()
		}
	}
}
