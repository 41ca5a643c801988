package widgets

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// httpFields are a request's fields as an analyzer gives them: the request line
// with its parts, then each header.
var httpRaw = "GET /index.html HTTP/1.1\r\nHost: www.lab.test\r\nUser-Agent: protolab\r\n\r\n"

var httpFields = []TreeField{
	{Name: "request line", Value: "GET /index.html HTTP/1.1", Off: 0, Len: 26},
	{Name: "method", Value: "GET", Off: 0, Len: 3},
	{Name: "target", Value: "/index.html", Off: 4, Len: 11},
	{Name: "Host", Value: "www.lab.test", Off: 26, Len: 20},
	{Name: "User-Agent", Value: "protolab", Off: 46, Len: 22},
	{Name: "body", Value: "none"},
}

func TestFieldTreeNests(t *testing.T) {
	test.NewTempApp(t)
	tr := NewFieldTree()
	tr.Set("GET /index.html", httpFields)
	showIn(t, tr, 500, 400)
	want := []int{-1, 0, 0, -1, -1, -1}
	for i, p := range want {
		if got := tr.Parent(i); got != p {
			t.Errorf("parent of %q = %d, want %d", httpFields[i].Name, got, p)
		}
	}
	tr.SetOpen(0, false)
	if tr.Shown(1) || tr.Shown(2) || !tr.Shown(3) || tr.rows[1].Visible() {
		t.Error("closing the request line does not hide its parts alone")
	}
	tr.Select(2)
	if !tr.Shown(2) || !tr.IsOpen(0) {
		t.Error("selecting a hidden part does not open its whole")
	}
}

func TestFieldTreeTapSelects(t *testing.T) {
	test.NewTempApp(t)
	tr := NewFieldTree()
	tr.Set("GET /index.html", httpFields)
	showIn(t, tr, 500, 400)
	got := -2
	tr.OnSelected = func(i int) { got = i }
	test.Tap(tr.rows[3])
	if got != 3 || tr.Selected() != 3 {
		t.Errorf("tapping Host: OnSelected(%d), Selected %d; want 3", got, tr.Selected())
	}
	// A tap on the arrow opens or closes, and selects nothing.
	test.TapAt(tr.rows[0], fyne.NewPos(fieldIndent+2, 5))
	if tr.IsOpen(0) || tr.Selected() != 3 {
		t.Errorf("tapping the request line's arrow: open %v, selected %d; want closed, 3", tr.IsOpen(0), tr.Selected())
	}
}

// A long value is shown whole, wrapped over several lines, never cut.
func TestFieldTreeLongValueWhole(t *testing.T) {
	test.NewTempApp(t)
	tr := NewFieldTree()
	long := strings.Repeat("hello from the lab, ", 20) + "the end"
	tr.Set("message", []TreeField{{Name: "short", Value: "x"}, {Name: "text", Value: long}})
	showIn(t, tr, 300, 600)
	tr.box.Refresh()
	if got := tr.rows[1].Text(); got != "text: "+long {
		t.Errorf("row text = %q, want the whole value", got)
	}
	shown := strings.Join(visibleTexts(tr.rows[1]), " ") // one text a line
	if flat := strings.Join(strings.Fields(shown), " "); !strings.Contains(flat, strings.TrimSpace(long)) {
		t.Errorf("drawn text %q lacks the whole value", flat)
	}
	one, many := tr.rows[0].Size().Height, tr.rows[1].Size().Height
	if many < 4*one {
		t.Errorf("long row %v tall, short %v: want it wrapped over many lines", many, one)
	}
}

// Rows abut: a tap anywhere down the tree lands on a row.
func TestFieldTreeRowsAbut(t *testing.T) {
	test.NewTempApp(t)
	tr := NewFieldTree()
	tr.Set("GET /index.html", httpFields)
	showIn(t, tr, 500, 400)
	prev := tr.root.Position().Y + tr.root.Size().Height
	for i := range httpFields {
		r := tr.rows[i]
		if y := r.Position().Y; y != prev {
			t.Errorf("row %d begins at %v, the row before ends at %v", i, y, prev)
		}
		prev = r.Position().Y + r.Size().Height
	}
}

func TestFieldTreeBounded(t *testing.T) {
	test.NewTempApp(t)
	tr := NewFieldTree()
	fields := make([]TreeField, MaxTreeRows+25)
	for i := range fields {
		fields[i] = TreeField{Name: "header", Value: "x"}
	}
	tr.Set("many", fields)
	if n := len(tr.Fields()); n != MaxTreeRows+1 || tr.Row(MaxTreeRows).Text() != "…: 25 more fields not shown" {
		t.Errorf("%d rows, last %q", n, tr.Row(n-1).Text())
	}
	if len(fields) != MaxTreeRows+25 || fields[MaxTreeRows].Name != "header" {
		t.Error("Set changed the caller's fields")
	}
}

func TestFieldTreeKeys(t *testing.T) {
	test.NewTempApp(t)
	tr := NewFieldTree()
	tr.Set("GET /index.html", httpFields)
	w := showIn(t, tr, 500, 400)
	var got []int
	tr.OnSelected = func(i int) { got = append(got, i) }
	test.TapAt(tr.rows[0], fyne.NewPos(200, 5)) // on its text, not its arrow
	if w.Canvas().Focused() != tr {
		t.Fatal("a tap does not give the tree the keys")
	}
	for _, k := range []fyne.KeyName{fyne.KeyDown, fyne.KeyDown, fyne.KeyLeft, fyne.KeyLeft, fyne.KeyDown, fyne.KeyRight, fyne.KeyEnd, fyne.KeyUp, fyne.KeyHome} {
		tr.TypedKey(&fyne.KeyEvent{Name: k})
	}
	// Tap: 0; Down: 1, 2; Left: up to 0; Left: close 0; Down: 3 (1 and 2 hidden);
	// Right: 3 has no children; End: 5; Up: 4; Home: 0.
	want := []int{0, 1, 2, 0, 3, 5, 4, 0}
	if !slices.Equal(got, want) {
		t.Errorf("selected %v, want %v", got, want)
	}
	if tr.IsOpen(0) {
		t.Error("Left on an open field does not close it")
	}
}
