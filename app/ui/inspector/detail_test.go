package inspector

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/protocollab/protolab/app/ui/widgets"
	"github.com/protocollab/protolab/lab"
)

// detailRequest is an HTTP request as the analyzer gives it: the request line
// over its parts, each header, a field worked out from the others, and a long value.
func detailRequest() *lab.Event {
	raw := []byte("GET /index.html HTTP/1.1\r\nHost: www.lab.test\r\nX-Note: " + strings.Repeat("hello from the lab ", 12) + "\r\n\r\n")
	note := strings.Repeat("hello from the lab ", 12)
	return &lab.Event{Kind: lab.KindMessage, Dir: lab.ClientToServer, Layer: "http", At: time.Unix(10, 0), Msg: &lab.Message{
		Dir: lab.ClientToServer, Summary: "GET /index.html", Meaning: "The client asks for a page.", Ref: "RFC 9112 §3",
		Raw: raw, Observed: true, Fields: []lab.Field{
			{Name: "request line", Value: "GET /index.html HTTP/1.1", Off: 0, Len: 26},
			{Name: "method", Value: "GET", Off: 0, Len: 3},
			{Name: "Host", Value: "www.lab.test", Off: 26, Len: 20},
			{Name: "X-Note", Value: note, Off: 46, Len: len(note) + 10},
			{Name: "body", Value: "none"},
		}}}
}

func showDetail(t *testing.T) *detail {
	t.Helper()
	test.NewTempApp(t)
	d := newDetail()
	w := test.NewTempWindow(t, d.obj)
	w.Resize(fyne.NewSize(1200, 500))
	d.showMessage(detailRequest(), time.Unix(9, 0), lab.ConvInfo{})
	return d
}

// tapField taps field i's row in the tree.
func tapField(t *testing.T, d *detail, i int) {
	t.Helper()
	row := d.tree.Row(i)
	test.TapAt(row, fyne.NewPos(row.Size().Width-10, 4))
}

func TestDetailFieldHighlightsItsBytes(t *testing.T) {
	d := showDetail(t)
	if off, n := d.hex.Highlight(); n != 0 {
		t.Errorf("before any selection %d bytes from %d are highlighted", n, off)
	}
	tapField(t, d, 2) // Host
	if off, n := d.hex.Highlight(); off != 26 || n != 20 {
		t.Errorf("Host selected: highlight %d+%d, want 26+20", off, n)
	}
	if got := string(d.hex.Data()[26:46]); got != "Host: www.lab.test\r\n" {
		t.Errorf("highlighted bytes %q", got)
	}
	if !strings.Contains(d.field.Text, "Host: www.lab.test") || !strings.Contains(d.field.Text, "bytes 26–45 (20 bytes)") ||
		strings.Contains(d.field.Text, "48 6f") {
		t.Errorf("field line = %q", d.field.Text)
	}
	tapField(t, d, 1) // method: few bytes, shown in hex too
	if !strings.Contains(d.field.Text, "bytes 0–2 (3 bytes): 47 45 54") {
		t.Errorf("method's line = %q, want its bytes in hex", d.field.Text)
	}
	tapField(t, d, 4) // body: no span of its own
	if _, n := d.hex.Highlight(); n != 0 || !strings.Contains(d.field.Text, "no bytes of its own") {
		t.Errorf("a field without a span: highlight %d bytes, line %q", n, d.field.Text)
	}
}

func TestDetailByteSelectsItsField(t *testing.T) {
	d := showDetail(t)
	for _, tt := range []struct {
		off  int
		want int
	}{{1, 1}, {10, 0}, {30, 2}, {60, 3}} {
		d.hex.OnTapped(tt.off)
		if got := d.tree.Selected(); got != tt.want {
			t.Errorf("byte %d tapped: field %d selected, want %d", tt.off, got, tt.want)
		}
		f := detailRequest().Msg.Fields[tt.want]
		if off, n := d.hex.Highlight(); off != f.Off || n != f.Len {
			t.Errorf("byte %d tapped: highlight %d+%d, want %q's %d+%d", tt.off, off, n, f.Name, f.Off, f.Len)
		}
	}
}

func TestDetailLongValueWhole(t *testing.T) {
	d := showDetail(t)
	note := detailRequest().Msg.Fields[3].Value
	if got := d.tree.Row(3).Text(); got != "X-Note: "+note {
		t.Errorf("tree row = %q, want the whole value", got)
	}
	tapField(t, d, 3)
	if !strings.Contains(d.field.Text, note) {
		t.Errorf("field line %q lacks the whole value", d.field.Text)
	}
	if d.meaning.Text != "The client asks for a page." || d.ref.Text != "RFC 9112 §3" {
		t.Errorf("meaning, ref = %q, %q", d.meaning.Text, d.ref.Text)
	}
	if got := d.tree.Row(-1).Text(); got != "GET /index.html" {
		t.Errorf("tree root = %q, want the summary", got)
	}
}

// A message whose fields cover no bytes does not invite a look at them.
func TestDetailHintOnlyWithSpans(t *testing.T) {
	d := showDetail(t)
	if !strings.Contains(d.field.Text, "tap a byte") {
		t.Errorf("with spans: line %q, want the hint", d.field.Text)
	}
	e := &lab.Event{Kind: lab.KindMessage, Dir: lab.ServerToClient, Layer: "tcp", Msg: &lab.Message{
		Summary: "FIN", Fields: []lab.Field{{Name: "flags", Value: "FIN, ACK"}}}}
	d.showMessage(e, time.Time{}, lab.ConvInfo{})
	if d.field.Text != "" || d.tree.Row(-1).Text() != "FIN" || d.tree.Row(0).Text() != "flags: FIN, ACK" {
		t.Errorf("without spans: line %q, root %q, row %q", d.field.Text, d.tree.Row(-1).Text(), d.tree.Row(0).Text())
	}
}

// A byte no field covers is highlighted alone, and said to be so.
func TestDetailByteWithoutField(t *testing.T) {
	d := showDetail(t)
	tapField(t, d, 2)
	raw := d.hex.Data()
	last := len(raw) - 1 // the empty line's LF: no field covers it
	d.hex.OnTapped(last)
	if d.tree.Selected() != -1 {
		t.Errorf("field %d selected for a byte no field covers", d.tree.Selected())
	}
	if off, n := d.hex.Highlight(); off != last || n != 1 || !strings.Contains(d.field.Text, "no field covers it") {
		t.Errorf("highlight %d+%d, line %q; want the byte alone", off, n, d.field.Text)
	}
}

// TestDetailStacksWhenNarrow: wide, the bytes are beside the field tree; in a
// column too narrow for both, below it, with whole rows of hex.
func TestDetailStacksWhenNarrow(t *testing.T) {
	test.NewTempApp(t)
	d := newDetail()
	w := test.NewTempWindow(t, d.obj)
	d.showMessage(detailRequest(), time.Unix(9, 0), lab.ConvInfo{})
	for _, c := range []struct {
		width float32
		wide  bool
	}{{1200, true}, {480, false}, {900, true}} {
		w.Resize(fyne.NewSize(c.width, 600))
		if d.split.Horizontal != c.wide {
			t.Errorf("at %v px wide: side by side %v, want %v", c.width, d.split.Horizontal, c.wide)
		}
		if hw := d.hex.Size().Width; hw < widgets.HexMinWidth() {
			t.Errorf("at %v px wide the hex view is %v px, less than a whole row's %v", c.width, hw, widgets.HexMinWidth())
		}
	}
}
