package widgets

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

var (
	tcpStates = []string{"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED",
		"FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK", "TIME-WAIT"}
	tcpTransitions = [][2]string{
		{"CLOSED", "LISTEN"}, {"CLOSED", "SYN-SENT"}, {"LISTEN", "SYN-RECEIVED"}, {"LISTEN", "SYN-SENT"},
		{"SYN-SENT", "SYN-RECEIVED"}, {"SYN-SENT", "ESTABLISHED"}, {"SYN-RECEIVED", "ESTABLISHED"},
		{"ESTABLISHED", "FIN-WAIT-1"}, {"ESTABLISHED", "CLOSE-WAIT"}, {"FIN-WAIT-1", "FIN-WAIT-2"},
		{"FIN-WAIT-1", "CLOSING"}, {"FIN-WAIT-2", "TIME-WAIT"}, {"CLOSING", "TIME-WAIT"},
		{"CLOSE-WAIT", "LAST-ACK"}, {"LAST-ACK", "CLOSED"}, {"TIME-WAIT", "CLOSED"},
	}
)

func newTCPDiagram(t *testing.T, path ...string) (*StateDiagram, *stateRenderer) {
	test.NewTempApp(t)
	d := NewStateDiagram()
	d.SetMachine(tcpStates, tcpTransitions)
	d.SetPath(path)
	showIn(t, d, 300, 360)
	return d, test.TempWidgetRenderer(t, d).(*stateRenderer)
}

func TestStateDiagramLightsCurrent(t *testing.T) {
	d, r := newTCPDiagram(t, "CLOSED", "SYN-SENT", "ESTABLISHED", "FIN-WAIT-1")
	if got := d.Current(); got != "FIN-WAIT-1" {
		t.Fatalf("Current = %q, want FIN-WAIT-1", got)
	}
	blue := accentBlue.tone(d)
	for i, s := range tcpStates {
		b := r.boxes[i]
		lit := sameColor(b.box.FillColor, blue)
		visited := slices.Contains([]string{"CLOSED", "SYN-SENT", "ESTABLISHED"}, s)
		switch {
		case s == "FIN-WAIT-1" && !lit:
			t.Errorf("current state %s fill = %v, want accent blue %v", s, b.box.FillColor, blue)
		case s != "FIN-WAIT-1" && lit:
			t.Errorf("state %s is lit, but the current state is FIN-WAIT-1", s)
		case visited && !sameColor(b.box.StrokeColor, blue):
			t.Errorf("visited state %s outline = %v, want accent blue", s, b.box.StrokeColor)
		case !visited && s != "FIN-WAIT-1" && sameColor(b.box.StrokeColor, blue):
			t.Errorf("state %s, never visited, is outlined in blue", s)
		}
	}
	if got := r.boxes[2].steps.Text; got != "2" {
		t.Errorf("SYN-SENT badge = %q, want step 2", got)
	}
	if got, want := r.step.Text, "step 4 · ESTABLISHED → FIN-WAIT-1"; got != want {
		t.Errorf("last step line = %q, want %q", got, want)
	}
	// ESTABLISHED–FIN-WAIT-1 are neighbours with a transition the path took: lit.
	if c := r.connectors[4]; !sameColor(c.StrokeColor, blue) {
		t.Errorf("connector ESTABLISHED–FIN-WAIT-1 = %v, want accent blue", c.StrokeColor)
	}
	// FIN-WAIT-2–CLOSE-WAIT have no transition: no line.
	if c := r.connectors[6]; c.StrokeWidth != 0 {
		t.Errorf("connector FIN-WAIT-2–CLOSE-WAIT has width %v, want none", c.StrokeWidth)
	}

	d.SetPath(append(d.path, "CLOSED"))
	if got := r.step.Text; !strings.HasSuffix(got, "(unexpected)") || !sameColor(r.step.Color, accentRed.tone(d)) {
		t.Errorf("FIN-WAIT-1 → CLOSED step line = %q in %v, want it flagged in red", got, r.step.Color)
	}
	if !sameColor(r.boxes[0].box.FillColor, blue) || sameColor(r.boxes[5].box.FillColor, blue) {
		t.Error("after moving to CLOSED, CLOSED should be lit and FIN-WAIT-1 not")
	}
	if got := r.boxes[0].steps.Text; got != "1,5" {
		t.Errorf("CLOSED badge = %q, want %q", got, "1,5")
	}
}

func TestStateDiagramWrapsIntoColumns(t *testing.T) {
	_, r := newTCPDiagram(t, "CLOSED")
	first, last := r.boxes[0].box, r.boxes[len(r.boxes)-1].box
	if first.Position().X == last.Position().X {
		t.Errorf("in a 300×360 area all %d states share x = %v; want two columns", len(r.boxes), first.Position().X)
	}
	for i, b := range r.boxes {
		if right := b.box.Position().X + b.box.Size().Width; right > 300 {
			t.Errorf("state %s ends at x = %v, past the 300-wide column", tcpStates[i], right)
		}
	}
}

func TestStateDiagramEmptyText(t *testing.T) {
	test.NewTempApp(t)
	d := NewStateDiagram()
	const msg = "UDP has no handshake and no connection state"
	d.SetEmptyText(msg)
	d.SetPath([]string{"x"})
	showIn(t, d, 300, 200)
	r := test.TempWidgetRenderer(t, d).(*stateRenderer)
	if !r.empty.Visible() || r.empty.String() != msg {
		t.Errorf("empty text visible=%v %q, want %q shown", r.empty.Visible(), r.empty.String(), msg)
	}
	if len(r.boxes) != 0 || r.step.Text != "" {
		t.Errorf("with no states: %d boxes and step line %q, want none", len(r.boxes), r.step.Text)
	}
	d.SetMachine([]string{"a", "b"}, nil)
	if r.empty.Visible() {
		t.Error("empty text still shown after SetMachine with states")
	}
}
