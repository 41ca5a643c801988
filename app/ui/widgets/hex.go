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
type HexView struct {
	widget.BaseWidget

	data   []byte
	perRow int // bytes per row, chosen by the renderer from the width
	list   *widget.List
}

// NewHexView returns an empty hex view.
func NewHexView() *HexView {
	h := &HexView{perRow: 16}
	h.ExtendBaseWidget(h)
	h.list = widget.NewList(h.rowCount, h.newRow, h.updateRow)
	h.list.HideSeparators = true
	return h
}

// SetData sets the bytes shown and scrolls back to the first row.
func (h *HexView) SetData(b []byte) {
	h.data = b
	h.list.ScrollToOffset(0)
	h.Refresh()
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
	o.(*hexRow).set(hexColumns(h.data[start:end], start, h.perRow))
}

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
