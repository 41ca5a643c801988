package widgets

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// HexView shows bytes the way `hexdump -C` does: the offset, the bytes in hex and
// the same bytes as ASCII (non-printable bytes as "·"), in a monospace font:
//
//	00000000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 0d 0a        |Hello, world··|
//
// It shows 16 bytes per row, or 8 when it is too narrow for 16. Rows are a
// widget.List, so only the rows in view exist and megabytes scroll smoothly. The view
// keeps the slice given to SetData; the caller must not modify it afterwards. Use it
// from the Fyne goroutine only.
//
// One run of bytes may be highlighted (SetHighlight), in both the hex and the ASCII
// columns; tapping a byte in either column calls OnTapped with its offset.
type HexView struct {
	widget.BaseWidget

	// OnTapped, if set, is called with the offset of a byte tapped.
	OnTapped func(off int)

	data   []byte
	perRow int // bytes per row, chosen by the renderer from the width
	list   *widget.List
	hlOff  int // the highlighted bytes: data[hlOff:hlOff+hlLen]
	hlLen  int
}

// NewHexView returns an empty hex view.
func NewHexView() *HexView {
	h := &HexView{perRow: 16}
	h.ExtendBaseWidget(h)
	h.list = widget.NewList(h.rowCount, h.newRow, h.updateRow)
	h.list.HideSeparators = true
	return h
}

// SetData sets the bytes shown, with nothing highlighted, and scrolls back to the
// first row.
func (h *HexView) SetData(b []byte) {
	h.data = b
	h.hlOff, h.hlLen = 0, 0
	h.list.ScrollToOffset(0)
	h.Refresh()
}

// SetHighlight highlights n bytes from off (n ≤ 0: none), cut to the data, and
// scrolls the first of them into view.
func (h *HexView) SetHighlight(off, n int) {
	off = max(0, min(off, len(h.data)))
	n = max(0, min(n, len(h.data)-off))
	if n == 0 {
		off = 0
	}
	if off == h.hlOff && n == h.hlLen {
		return
	}
	h.hlOff, h.hlLen = off, n
	h.list.Refresh()
	if n > 0 {
		h.list.ScrollTo(off / h.perRow)
	}
}

// Highlight returns the highlighted bytes' offset and length (0: none).
func (h *HexView) Highlight() (off, n int) { return h.hlOff, h.hlLen }

// tapped reports a tap on the byte at off.
func (h *HexView) tapped(off int) {
	if off >= 0 && off < len(h.data) && h.OnTapped != nil {
		h.OnTapped(off)
	}
}

// Data returns the bytes shown.
func (h *HexView) Data() []byte { return h.data }

// CreateRenderer implements fyne.Widget.
func (h *HexView) CreateRenderer() fyne.WidgetRenderer {
	return newHexRenderer(h)
}

func (h *HexView) rowCount() int {
	return (len(h.data) + h.perRow - 1) / h.perRow
}

func (h *HexView) newRow() fyne.CanvasObject { return newHexRow(h) }

func (h *HexView) updateRow(id widget.ListItemID, o fyne.CanvasObject) {
	start := id * h.perRow
	if start >= len(h.data) {
		return
	}
	end := min(start+h.perRow, len(h.data))
	// The highlighted bytes in this row, as indexes within it.
	from, to := max(h.hlOff, start)-start, min(h.hlOff+h.hlLen, end)-start
	if to <= from {
		from, to = 0, 0
	}
	o.(*hexRow).set(start, end-start, from, to, h.data[start:end])
}

// hexByteCol is the character column, within the hex column, where byte i of a
// row begins: three characters a byte, and one more space before each group of eight.
func hexByteCol(i int) int { return i*3 + i/8 }

// hexColumns formats one row: the offset, the hex bytes (padded to perRow bytes,
// with an extra space after each group of eight) and the ASCII between bars.
func hexColumns(b []byte, offset, perRow int) (off, hex, ascii string) {
	const digits = "0123456789abcdef"
	var hx strings.Builder
	hx.Grow(perRow*3 + perRow/8)
	for i := range perRow {
		if i > 0 {
			hx.WriteByte(' ')
			if i%8 == 0 {
				hx.WriteByte(' ')
			}
		}
		if i < len(b) {
			hx.WriteByte(digits[b[i]>>4])
			hx.WriteByte(digits[b[i]&0x0f])
		} else {
			hx.WriteString("  ")
		}
	}
	var as strings.Builder
	as.WriteByte('|')
	for _, c := range b {
		if c >= 0x20 && c < 0x7f {
			as.WriteByte(c)
		} else {
			as.WriteString("·")
		}
	}
	as.WriteByte('|')
	return fmt.Sprintf("%08x", offset), hx.String(), as.String()
}

// hexLine is a whole row as one string, as the view lays it out.
func hexLine(b []byte, offset, perRow int) string {
	off, hex, ascii := hexColumns(b, offset, perRow)
	return off + "  " + hex + "  " + ascii
}

// hexRowChars is the width of a row, in characters, for perRow bytes.
func hexRowChars(perRow int) int {
	return len(hexLine(make([]byte, perRow), 0, perRow))
}
