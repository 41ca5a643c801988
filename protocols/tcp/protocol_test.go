package tcp

import (
	"slices"
	"testing"
)

func TestProtocol(t *testing.T) {
	p := Protocol()
	if p.Name != "tcp" || p.Title != "TCP echo/chat" || p.DefaultPort != 7000 || p.Transport != "tcp" {
		t.Errorf("Protocol() = %q %q %d %q, want tcp, TCP echo/chat, 7000, tcp", p.Name, p.Title, p.DefaultPort, p.Transport)
	}
	if p.Connectionless {
		t.Error("Connectionless = true, want false")
	}
	if p.About == "" {
		t.Error("About is empty")
	}
	if p.NewServer != nil {
		t.Error("NewServer is set; the app wires it")
	}
	if _, ok := p.NewAnalyzer().(*Analyzer); !ok {
		t.Errorf("NewAnalyzer() = %T, want *Analyzer", p.NewAnalyzer())
	}
	want := []string{"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED",
		"FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"}
	if !slices.Equal(p.States, want) {
		t.Errorf("States = %q, want %q", p.States, want)
	}
	if len(p.Transitions) != 20 {
		t.Errorf("%d transitions, want the 20 arrows of RFC 9293 Figure 5", len(p.Transitions))
	}
	seen := make(map[[2]string]bool)
	for _, tr := range p.Transitions {
		for _, s := range tr {
			if !slices.Contains(p.States, s) {
				t.Errorf("transition %q uses unknown state %q", tr, s)
			}
		}
		if seen[tr] {
			t.Errorf("transition %q listed twice", tr)
		}
		seen[tr] = true
	}
	if len(p.Settings) != 2 {
		t.Fatalf("%d settings, want 2", len(p.Settings))
	}
	s := p.Settings[0]
	if s.Key != "mode" || s.Label != "Service" || s.Default != ModeEcho || s.Help == "" {
		t.Errorf("setting = %+v, want key mode, label Service, default echo, with help", s)
	}
	if !slices.Equal(s.Choices, []string{"echo", "chat"}) {
		t.Errorf("choices = %q, want [echo chat]", s.Choices)
	}
	k := p.Settings[1]
	if k.Key != SettingCapture || k.Label != "Data kept" || k.Default != DefaultCapture || k.Help == "" {
		t.Errorf("setting = %+v, want key capture, label Data kept, default %s, with help", k, DefaultCapture)
	}
	if p.CaptureLimit != DefaultCaptureLimit || !p.CaptureCountOnly {
		t.Errorf("CaptureLimit, CaptureCountOnly = %d, %v; want the default's %d bytes, counted only", p.CaptureLimit, p.CaptureCountOnly, DefaultCaptureLimit)
	}
	if !slices.Equal(k.Choices, []string{"64 KiB", "1 MiB", "16 MiB", "all"}) || !slices.Contains(k.Choices, DefaultCapture) {
		t.Errorf("choices = %q, want 64 KiB, 1 MiB, 16 MiB and all, the default among them", k.Choices)
	}
}

// TestProtocolFresh checks that callers cannot change each other's protocol value.
func TestProtocolFresh(t *testing.T) {
	a, b := Protocol(), Protocol()
	a.States[0] = "changed"
	a.Transitions[0][0] = "changed"
	if b.States[0] != StateClosed || b.Transitions[0][0] != StateClosed {
		t.Error("Protocol() values share their state lists")
	}
}

// TestRulesFollowFigure5 checks that every rule of the state machine is an arrow of the figure.
func TestRulesFollowFigure5(t *testing.T) {
	for _, r := range rules {
		if !slices.Contains(transitions, [2]string{r.from, r.to}) {
			t.Errorf("rule %v received=%v: %s → %s is not in RFC 9293 Figure 5", r.seg, r.received, r.from, r.to)
		}
	}
}
