package http

import (
	"slices"
	"strings"
	"testing"
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
