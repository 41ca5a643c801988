package widgets

import (
	"fmt"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

var tcpArrows = []Arrow{
	{From: 0, To: 1, Label: "SYN", Style: ArrowHandshake, Inferred: true},
	{From: 1, To: 0, Label: "SYN-ACK", Style: ArrowHandshake, Inferred: true},
	{From: 0, To: 1, Label: "ACK", Note: "+0.11 ms", Style: ArrowHandshake, Inferred: true},
	{From: 0, To: 1, Label: "hello", Note: "6 B"},
	{From: 1, To: 0, Label: "hello", Note: "6 B"},
	{From: 0, To: 1, Label: "FIN", Style: ArrowTeardown},
	{From: 1, To: 0, Label: "ACK", Style: ArrowTeardown},
	{From: 1, To: 0, Label: "FIN", Style: ArrowTeardown},
	{From: 0, To: 1, Label: "ACK", Style: ArrowTeardown},
}

func manyArrows(n int) []Arrow {
	arrows := make([]Arrow, n)
	for i := range arrows {
		arrows[i] = Arrow{From: i % 2, To: 1 - i%2, Label: fmt.Sprintf("line %d", i), Note: "12 B"}
	}
	return arrows
}

// tapArrow taps the canvas where arrow i's line is drawn, as a person would.
func tapArrow(win fyne.Window, d *SequenceDiagram, i int) {
	body := fyne.CurrentApp().Driver().AbsolutePositionForObject(d.body)
	pos := body.Add(fyne.NewPos(d.body.Size().Width/2, seqRowTop(i)+seqArrowY))
	test.TapCanvas(win.Canvas(), pos)
}

func TestSequenceDiagramTapSelects(t *testing.T) {
	test.NewTempApp(t)
	d := NewSequenceDiagram()
	d.SetLanes([]string{"client 127.0.0.1:53912", "server :7000"})
	d.SetArrows(tcpArrows)
	win := showIn(t, d, 600, 500)
	var got []int
	d.OnSelected = func(i int) { got = append(got, i) }

	if n := d.ArrowCount(); n != len(tcpArrows) {
		t.Fatalf("ArrowCount = %d, want %d", n, len(tcpArrows))
	}
	tapArrow(win, d, 3)
	tapArrow(win, d, 0)
	tapArrow(win, d, 8)
	tapArrow(win, d, 10) // below the last arrow: nothing
	if want := []int{3, 0, 8}; !slices.Equal(got, want) {
		t.Errorf("OnSelected calls = %v, want %v", got, want)
	}
	if s := d.Selected(); s != 8 {
		t.Errorf("Selected = %d, want 8", s)
	}
	d.Select(-1)
	if s := d.Selected(); s != -1 {
		t.Errorf("Selected after Select(-1) = %d, want -1", s)
	}
}

func TestSequenceDiagramSelectScrollsAndTapMapsRows(t *testing.T) {
	test.NewTempApp(t)
	d := NewSequenceDiagram()
	d.SetArrows(manyArrows(10000))
	win := showIn(t, d, 600, 400)
	d.Select(5000)
	off := d.scroll.Offset.Y
	if top := seqRowTop(5000); top < off || top+seqRowHeight > off+d.scroll.Size().Height {
		t.Fatalf("row 5000 at %v..%v not in view %v..%v", top, top+seqRowHeight, off, off+d.scroll.Size().Height)
	}
	if texts := visibleTexts(d); !slices.Contains(texts, "line 5000") {
		t.Errorf("after Select(5000) the drawn labels %q lack %q", texts, "line 5000")
	}
	got := -1
	d.OnSelected = func(i int) { got = i }
	tapArrow(win, d, 4999) // Select scrolled just far enough: 5000 is the last row in view
	if got != 4999 {
		t.Errorf("tap on row 4999 after scrolling: OnSelected(%d), want 4999", got)
	}
}

func TestSequenceDiagramBoundedObjects(t *testing.T) {
	test.NewTempApp(t)
	d := NewSequenceDiagram()
	d.SetLanes([]string{"client", "server", "data"})
	arrows := manyArrows(100000)
	for i := range arrows {
		arrows[i].Inferred = i%3 == 0 // dashed lines need the most objects
	}
	d.SetArrows(arrows)
	showIn(t, d, 800, 600)

	// Rows in view: 600/36 ≈ 17; each needs at most a few dozen objects.
	const bound = 2000
	check := func(when string) {
		t.Helper()
		body := len(test.TempWidgetRenderer(t, d.body).Objects())
		if body == 0 || body > bound {
			t.Errorf("%s: body renderer has %d objects, want 1..%d", when, body, bound)
		}
		if all := countObjects(d); all > bound+100 {
			t.Errorf("%s: diagram holds %d objects, want at most %d", when, all, bound+100)
		}
	}
	check("at the top")
	before := len(test.TempWidgetRenderer(t, d.body).Objects())
	for _, i := range []int{50000, 99999, 10, 99999} {
		d.Select(i)
	}
	check("after scrolling to the end")
	if after := len(test.TempWidgetRenderer(t, d.body).Objects()); after > 2*before {
		t.Errorf("objects grew from %d to %d while scrolling; they should be reused", before, after)
	}
	if texts := visibleTexts(d); !slices.Contains(texts, "100000") || !slices.Contains(texts, "line 99999") {
		t.Errorf("at the end the diagram draws %q, want row number 100000 and label %q", texts, "line 99999")
	}
}

func TestSequenceDiagramAppendFollowsEnd(t *testing.T) {
	test.NewTempApp(t)
	d := NewSequenceDiagram()
	caller := manyArrows(200)[:100] // spare capacity that Append must not write into
	d.SetArrows(caller)
	showIn(t, d, 600, 400)

	d.scroll.ScrollToBottom()
	d.Append(Arrow{Label: "new 1"}, Arrow{Label: "new 2"})
	if n := d.ArrowCount(); n != 102 {
		t.Fatalf("ArrowCount = %d, want 102", n)
	}
	if !d.atEnd() {
		t.Errorf("after Append at the end, offset %v does not show the last row", d.scroll.Offset.Y)
	}
	if texts := visibleTexts(d); !slices.Contains(texts, "new 2") {
		t.Errorf("after Append the drawn labels %q lack %q", texts, "new 2")
	}
	if got := caller[:101][100].Label; got != "line 100" {
		t.Errorf("Append wrote into the caller's array: element 100 = %q", got)
	}

	d.scroll.ScrollToTop()
	d.Append(Arrow{Label: "new 3"})
	if off := d.scroll.Offset.Y; off != 0 {
		t.Errorf("Append while reading the top moved the view to %v", off)
	}
}

func TestSequenceDiagramStylesAndTruncation(t *testing.T) {
	test.NewTempApp(t)
	d := NewSequenceDiagram()
	long := "250-mail.alpha.test Hello laptop, pleased to meet you and everyone else on this line"
	d.SetArrows([]Arrow{{From: 1, To: 0, Label: long, Note: "+0.3 ms"}, {From: 0, To: 1, Label: "RST", Style: ArrowTeardown}})
	showIn(t, d, 400, 300)
	r := test.TempWidgetRenderer(t, d.body).(*sequenceBodyRenderer)
	var cut string
	for _, tx := range visibleTexts(d) {
		if len(tx) > 3 && tx[:3] == "250" {
			cut = tx
		}
	}
	if cut == "" || cut == long || cut[len(cut)-len(ellipsis):] != ellipsis {
		t.Errorf("long label drawn as %q, want a prefix ending in %q", cut, ellipsis)
	}
	teardown := accentTeardown.tone(d)
	found := false
	for _, l := range r.shafts.items {
		if l.Visible() && sameColor(l.StrokeColor, teardown) {
			found = true
		}
	}
	if !found {
		t.Error("no line drawn in the teardown colour for an ArrowTeardown")
	}
}

func BenchmarkSequenceDiagramSetArrows100k(b *testing.B) {
	test.NewTempApp(b)
	d := NewSequenceDiagram()
	arrows := manyArrows(100000)
	showIn(b, d, 800, 600)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		d.SetArrows(arrows[:len(arrows)-i%2]) // a changing length, as in a live capture
		d.Refresh()
	}
}

func TestSequenceDiagramSelectBeforeShown(t *testing.T) {
	test.NewTempApp(t)
	d := NewSequenceDiagram()
	d.SetArrows(manyArrows(1000))
	d.Select(900) // before the diagram has a size, as when an inspector opens
	showIn(t, d, 600, 400)
	if texts := visibleTexts(d); !slices.Contains(texts, "line 900") {
		t.Errorf("row 900 selected before showing is not in view; drawn: %q", texts)
	}
}

func TestSequenceDiagramTitlesFollowLanes(t *testing.T) {
	test.NewTempApp(t)
	d := NewSequenceDiagram()
	d.SetArrows(tcpArrows)
	showIn(t, d, 600, 400)
	head := test.TempWidgetRenderer(t, d).(*sequenceRenderer)
	body := test.TempWidgetRenderer(t, d.body).(*sequenceBodyRenderer)
	for _, n := range []int{1000, 100000, 5} { // the row numbers change width
		d.SetArrows(manyArrows(n))
		if stem, dash := head.stems[0].Position1.X, body.dashes.items[0].Position1.X; stem != dash {
			t.Errorf("with %d arrows the client title is at x = %v but its lane at x = %v", n, stem, dash)
		}
	}
}

// TestSequenceDiagramDrawsEveryArrowAfterAResize shows 21 arrows in a window too
// short for them, then makes it taller, still short of all of them: every arrow
// in the larger view is drawn at once, without a scroll to wake the diagram.
func TestSequenceDiagramDrawsEveryArrowAfterAResize(t *testing.T) {
	test.NewTempApp(t)
	d := NewSequenceDiagram()
	d.SetLanes([]string{"client", "server"})
	d.SetArrows(manyArrows(21))
	win := showIn(t, d, 600, 200)
	win.Resize(fyne.NewSize(600, seqHeaderHeight+seqContentHeight(21)/2+40))
	_, end := d.body.visibleRows()
	if end < 8 || end > 20 {
		t.Fatalf("rows in view up to %d: the test wants a view taller than before and shorter than the arrows", end)
	}
	r := test.TempWidgetRenderer(t, d.body).(*sequenceBodyRenderer)
	drawn := map[string]bool{}
	for _, tx := range r.texts.items {
		if tx.Visible() {
			drawn[tx.Text] = true
		}
	}
	for i := range min(end, 21) {
		if label := fmt.Sprintf("line %d", i); !drawn[label] {
			t.Errorf("after the resize %q, in view, is not drawn", label)
		}
	}
}
