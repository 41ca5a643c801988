package widgets

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// highlighted lists the offsets of the bytes the drawn rows highlight, checking
// that each row's highlights are drawn over exactly those bytes.
func highlighted(t *testing.T, h *HexView) map[int]bool {
	t.Helper()
	got := map[int]bool{}
	cw := hexCharWidth()
	walk(h, func(o fyne.CanvasObject) {
		r, ok := o.(*hexRow)
		if !ok || !r.Visible() || r.n == 0 {
			return
		}
		if r.hexHL.Visible() != (r.from < r.to) || r.asciiHL.Visible() != (r.from < r.to) {
			t.Errorf("row %#x: highlight shown %v for bytes %d..%d", r.start, r.hexHL.Visible(), r.from, r.to)
		}
		if r.from >= r.to {
			return
		}
		hexAt, asciiAt := r.columns()
		if i := r.byteAt(r.hexHL.Position().X + cw); i != r.from {
			t.Errorf("row %#x: hex highlight begins at byte %d, want %d", r.start, i, r.from)
		}
		if i := r.byteAt(r.hexHL.Position().X + r.hexHL.Size().Width - cw); i != r.to-1 {
			t.Errorf("row %#x: hex highlight ends at byte %d, want %d", r.start, i, r.to-1)
		}
		if x, w := r.asciiHL.Position().X, r.asciiHL.Size().Width; x != asciiAt+float32(1+r.from)*cw || w != float32(r.to-r.from)*cw || x < hexAt {
			t.Errorf("row %#x: ASCII highlight at %v, %v wide; want bytes %d..%d", r.start, x, w, r.from, r.to)
		}
		for i := r.from; i < r.to; i++ {
			got[r.start+i] = true
		}
	})
	return got
}

// shownHex returns a hex view of data shown 800 wide, 16 bytes a row.
func shownHex(t *testing.T, data string) *HexView {
	t.Helper()
	test.NewTempApp(t)
	h := NewHexView()
	h.SetData([]byte(data))
	showIn(t, h, 800, 300)
	return h
}

func TestHexViewHighlight(t *testing.T) {
	h := shownHex(t, "GET / HTTP/1.1\r\nHost: www.lab.test\r\nAccept: */*\r\n\r\n")
	h.SetHighlight(16, 20) // "Host: www.lab.test\r\n", across rows 1 and 2
	got := highlighted(t, h)
	if len(got) != 20 {
		t.Errorf("%d bytes highlighted, want 20", len(got))
	}
	for i := 16; i < 36; i++ {
		if !got[i] {
			t.Errorf("byte %d not highlighted", i)
		}
	}
	if off, n := h.Highlight(); off != 16 || n != 20 {
		t.Errorf("Highlight = %d, %d; want 16, 20", off, n)
	}
	h.SetHighlight(0, 0)
	if got := highlighted(t, h); len(got) != 0 {
		t.Errorf("after clearing, %d bytes highlighted", len(got))
	}
	h.SetHighlight(40, 100) // cut to the data
	if off, n := h.Highlight(); off != 40 || n != len(h.Data())-40 {
		t.Errorf("Highlight past the end = %d, %d", off, n)
	}
	h.SetData([]byte("new"))
	if _, n := h.Highlight(); n != 0 {
		t.Error("new data keeps the old highlight")
	}
}

func TestHexViewTapReportsByte(t *testing.T) {
	h := shownHex(t, "0123456789abcdefGHIJ")
	tapped := -1
	h.OnTapped = func(off int) { tapped = off }
	var rows []*hexRow
	walk(h, func(o fyne.CanvasObject) {
		if r, ok := o.(*hexRow); ok && r.Visible() && r.n > 0 {
			rows = append(rows, r)
		}
	})
	var second *hexRow
	for _, r := range rows {
		if r.start == 16 {
			second = r
		}
	}
	if second == nil {
		t.Fatal("no row for bytes 16..")
	}
	cw := hexCharWidth()
	hexAt, asciiAt := second.columns()
	for _, tt := range []struct {
		x    float32
		want int
	}{
		{hexAt + float32(hexByteCol(2))*cw + cw/2, 18}, // the hex of "I"
		{asciiAt + float32(1+3)*cw + cw/2, 19},         // the ASCII of "J"
		{asciiAt + float32(1+10)*cw, -1},               // past the row's bytes
		{2, -1},                                        // the offset column
	} {
		tapped = -1
		test.TapAt(second, fyne.NewPos(tt.x, 4))
		if tapped != tt.want {
			t.Errorf("tap at x=%v: byte %d, want %d", tt.x, tapped, tt.want)
		}
	}
}
