package widgets

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
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

// stateSizes are the state column's sizes in the window at 1400×900 and 1200×800,
// where every box shows without scrolling (the note under them may scroll), and
// short or narrow ones where the boxes scroll.
var stateSizes = []struct {
	w, h   float32
	scroll bool
}{{300, 300, false}, {250, 260, false}, {240, 180, true}, {160, 200, true}}

func TestStateDiagramNamesWhole(t *testing.T) {
	for _, sz := range stateSizes {
		test.NewTempApp(t)
		d := NewStateDiagram()
		d.SetMachine(tcpStates, tcpTransitions)
		d.SetPath([]string{"CLOSED", "SYN-SENT", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT"})
		d.SetNote("RFC 9293 §3.6 — the connection waits twice the maximum segment lifetime")
		showIn(t, d, sz.w+8, sz.h+8) // the test window pads its content
		r := test.TempWidgetRenderer(t, d).(*stateRenderer)
		for i, b := range r.boxes {
			if got := b.name.Text; got != tcpStates[i] {
				t.Errorf("%v×%v: state %d reads %q, want %q", sz.w, sz.h, i, got, tcpStates[i])
			}
			if right := b.box.Position().X + b.box.Size().Width; right > d.Size().Width {
				t.Errorf("%v×%v: state %s ends at x = %v, past the %v-wide widget", sz.w, sz.h, tcpStates[i], right, d.Size().Width)
			}
			nameEnd := b.name.Position().X + b.name.Size().Width
			if b.steps.Text != "" && nameEnd > b.badge.Position().X {
				t.Errorf("%v×%v: name %s (to x = %v) runs into its badge at x = %v", sz.w, sz.h, tcpStates[i], nameEnd, b.badge.Position().X)
			}
		}
		if r.nameSize < stNameMin {
			t.Errorf("%v×%v: names drawn at size %v, below %v", sz.w, sz.h, r.nameSize, stNameMin)
		}
		var bottom float32
		for _, b := range r.boxes {
			bottom = max(bottom, b.box.Position().Y+b.box.Size().Height)
		}
		if scrolls := bottom > d.Size().Height; scrolls != sz.scroll {
			t.Errorf("%v×%v: boxes end at y = %v in a %v-tall widget: scroll = %v, want %v",
				sz.w, sz.h, bottom, d.Size().Height, scrolls, sz.scroll)
		}
		if r.contentSize.Height < r.note.Position().Y+r.note.Size().Height {
			t.Errorf("%v×%v: content is %v tall, the note ends at y = %v", sz.w, sz.h, r.contentSize.Height, r.note.Position().Y+r.note.Size().Height)
		}
	}
}

func TestStateDiagramOneColumnWhenTall(t *testing.T) {
	test.NewTempApp(t)
	d := NewStateDiagram()
	d.SetMachine(tcpStates, tcpTransitions)
	d.SetPath([]string{"CLOSED"})
	showIn(t, d, 300, 700)
	r := test.TempWidgetRenderer(t, d).(*stateRenderer)
	x := r.boxes[0].box.Position().X
	for i, b := range r.boxes {
		if b.box.Position().X != x {
			t.Errorf("in a 700-tall area state %s is at x = %v, want one column at x = %v", tcpStates[i], b.box.Position().X, x)
		}
	}
	if r.nameSize != stNameSize {
		t.Errorf("one column names at size %v, want %v", r.nameSize, stNameSize)
	}
}

// TestStateDiagramDrawsArrows checks that connectors carry a head at the end the
// machine moves to, and that the last transition between states that are not
// neighbours is drawn as an arrow into the state entered.
func TestStateDiagramDrawsArrows(t *testing.T) {
	test.NewTempApp(t)
	d := NewStateDiagram()
	d.SetMachine([]string{"A", "B", "C", "D"}, [][2]string{{"A", "B"}, {"C", "B"}, {"C", "D"}, {"D", "C"}, {"A", "D"}})
	showIn(t, d, 300, 400)
	r := test.TempWidgetRenderer(t, d).(*stateRenderer)
	for i, want := range []struct{ down, up bool }{{true, false}, {false, true}, {true, true}} {
		h := r.heads[i]
		if got := !h.down[0].Hidden; got != want.down {
			t.Errorf("connector %d: head pointing down shown = %v, want %v", i, got, want.down)
		}
		if got := !h.up[0].Hidden; got != want.up {
			t.Errorf("connector %d: head pointing up shown = %v, want %v", i, got, want.up)
		}
	}
	if down := r.heads[0].down[0]; down.Position1.Y <= down.Position2.Y {
		t.Errorf("A→B head from %v to %v: its tip should be below its tail", down.Position1, down.Position2)
	}
	if !r.last.seg[0].Hidden {
		t.Error("with no path, the last transition's arrow is drawn")
	}

	d.SetPath([]string{"A", "D"})
	if r.last.seg[0].Hidden || r.last.head[0].Hidden {
		t.Fatal("A → D, not neighbours, drawn without an arrow")
	}
	from, to := r.boxes[0].box, r.boxes[3].box
	tip := r.last.head[0].Position1
	if mid := to.Position().Y + stBoxH/2; tip.Y != mid || tip.X != to.Position().X+to.Size().Width {
		t.Errorf("arrow's tip at %v, want the right side of D's box (%v, %v)", tip, to.Position().X+to.Size().Width, mid)
	}
	if start := r.last.seg[0].Position1; start.Y != from.Position().Y+stBoxH/2 {
		t.Errorf("arrow starts at %v, want beside A's box", start)
	}

	d.SetPath([]string{"A", "B"}) // neighbours: the connector shows it
	if !r.last.seg[0].Hidden {
		t.Error("A → B, neighbours, drawn twice")
	}
}

// TestStateDiagramRoutesInsideTheWidget checks that in the last of several
// columns the last transition's arrow runs on the column's left, not past the
// widget's right edge.
func TestStateDiagramRoutesInsideTheWidget(t *testing.T) {
	d, r := newTCPDiagram(t, "FIN-WAIT-2", "TIME-WAIT")
	if r.boxes[6].box.Position().X == r.boxes[0].box.Position().X {
		t.Fatal("FIN-WAIT-2 is in the first column; the test wants it in the last")
	}
	seg := r.last.seg[0]
	if seg.Hidden || seg.Position2.X >= seg.Position1.X {
		t.Errorf("arrow leaves FIN-WAIT-2 from %v to %v, want leftwards", seg.Position1, seg.Position2)
	}
	for _, l := range r.last.seg {
		if x := max(l.Position1.X, l.Position2.X); x > d.Size().Width {
			t.Errorf("arrow reaches x %v, past the widget's width %v", x, d.Size().Width)
		}
	}
}

// TestStateDiagramRingsTheOtherEnd checks that the other end's state is ringed in
// amber and named in the step line where it differs from the current state, and
// not at all where the two ends agree.
func TestStateDiagramRingsTheOtherEnd(t *testing.T) {
	d, r := newTCPDiagram(t, "CLOSED", "SYN-SENT", "ESTABLISHED", "FIN-WAIT-1")
	d.SetOther("server", "CLOSE-WAIT")
	amber := accentAmber.tone(d)
	for i, s := range tcpStates {
		ringed := sameColor(r.boxes[i].box.StrokeColor, amber)
		if ringed != (s == "CLOSE-WAIT") {
			t.Errorf("state %s ringed in amber = %v; the server is in CLOSE-WAIT", s, ringed)
		}
	}
	if got, want := r.stepText, "step 4 · ESTABLISHED → FIN-WAIT-1 · server: CLOSE-WAIT"; got != want { // before fitting to the width
		t.Errorf("last step line = %q, want %q", got, want)
	}
	d.SetOther("server", "FIN-WAIT-1") // the same as the current: nothing more to show
	if got := d.Other(); got != "" {
		t.Errorf("Other = %q with both ends in the current state, want none", got)
	}
	for i, s := range tcpStates {
		if sameColor(r.boxes[i].box.StrokeColor, amber) {
			t.Errorf("state %s ringed in amber though both ends are in FIN-WAIT-1", s)
		}
	}
	if strings.Contains(r.step.Text, "server") {
		t.Errorf("last step line %q names the server, though both ends agree", r.step.Text)
	}
}

// TestStateDiagramStaysPutInReplay steps through a long path, as replay does,
// with a note of a different length at each step: with room made for the whole
// path, no box moves.
func TestStateDiagramStaysPutInReplay(t *testing.T) {
	full := []string{"CLOSED", "SYN-SENT", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "CLOSED",
		"SYN-SENT", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "CLOSED"}
	d, r := newTCPDiagram(t)
	// Tall enough for one column of boxes, not for one and a long note too.
	d.Resize(fyne.NewSize(300, 2*stPad+11*(stBoxH+stGap)+80))
	d.SetRoom(full)
	var first []fyne.Position
	for k := 1; k <= len(full); k++ {
		d.SetPath(full[:k])
		d.SetNote(strings.Repeat("what this message means ", 1+(k*7)%11))
		var at []fyne.Position
		for _, b := range r.boxes {
			at = append(at, b.box.Position())
		}
		if first == nil {
			first = at
			continue
		}
		if !slices.Equal(at, first) {
			t.Fatalf("at step %d the boxes moved: %v, first %v", k, at, first)
		}
	}
}
