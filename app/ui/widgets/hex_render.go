package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

const hexTextSize = 12

var hexStyle = fyne.TextStyle{Monospace: true}

// hexCharWidth is the advance of one monospace character.
func hexCharWidth() float32 { return textWidth("0", hexTextSize, hexStyle) }

// hexRow is one list row: offset, hex and ASCII columns, each its own text so each
// can have its own colour, over the highlight of the bytes it holds that are
// highlighted.
type hexRow struct {
	widget.BaseWidget
	h               *HexView
	off, hex, ascii *canvas.Text
	hexHL, asciiHL  *canvas.Rectangle
	content         *fyne.Container

	start, n int // the row's first byte and how many it shows
	from, to int // its highlighted bytes, as indexes in the row (from == to: none)
}

func newHexRow(h *HexView) *hexRow {
	r := &hexRow{h: h}
	r.off = canvas.NewText("", nil)
	r.hex = canvas.NewText("", nil)
	r.ascii = canvas.NewText("", nil)
	for _, t := range []*canvas.Text{r.off, r.hex, r.ascii} {
		t.TextSize, t.TextStyle = hexTextSize, hexStyle
	}
	r.hexHL = canvas.NewRectangle(color.Transparent)
	r.asciiHL = canvas.NewRectangle(color.Transparent)
	r.hexHL.Hide()
	r.asciiHL.Hide()
	r.content = container.NewWithoutLayout(r.hexHL, r.asciiHL, r.off, r.hex, r.ascii)
	r.ExtendBaseWidget(r)
	return r
}

// set shows the n bytes b from start, with b[from:to] highlighted.
func (r *hexRow) set(start, n, from, to int, b []byte) {
	r.start, r.n, r.from, r.to = start, n, from, to
	off, hex, ascii := hexColumns(b, start, r.h.perRow)
	muted := themed(theme.ColorNamePlaceHolder, r.h)
	fg := themed(theme.ColorNameForeground, r.h)
	setText(r.off, off, muted, hexTextSize, hexStyle)
	setText(r.hex, hex, fg, hexTextSize, hexStyle)
	setText(r.ascii, ascii, accentBlue.tone(r.h), hexTextSize, hexStyle)
	sel := themed(theme.ColorNameSelection, r.h)
	for _, hl := range []*canvas.Rectangle{r.hexHL, r.asciiHL} {
		if hl.FillColor != sel {
			hl.FillColor = sel
			hl.Refresh()
		}
		hl.Hidden = from >= to
	}
	r.place()
}

// columns returns where the hex and ASCII columns begin.
func (r *hexRow) columns() (hexAt, asciiAt float32) {
	cw := hexCharWidth()
	hexAt = theme.Padding() + float32(10)*cw
	// After the hex column (3 characters per byte less one, plus a space before each
	// further group of eight) and two spaces.
	asciiAt = hexAt + float32(hexByteCol(r.h.perRow-1)+2+2)*cw
	return hexAt, asciiAt
}

// place puts the columns at fixed character positions, as hexLine spaces them, and
// the highlight behind the highlighted bytes.
func (r *hexRow) place() {
	cw := hexCharWidth()
	hexAt, asciiAt := r.columns()
	for _, p := range []struct {
		t *canvas.Text
		x float32
	}{{r.off, theme.Padding()}, {r.hex, hexAt}, {r.ascii, asciiAt}} {
		sz := p.t.MinSize()
		p.t.Move(fyne.NewPos(p.x, 0))
		p.t.Resize(sz)
	}
	if r.from >= r.to {
		return
	}
	h := r.hex.MinSize().Height
	first, last := hexByteCol(r.from), hexByteCol(r.to-1)+2
	r.hexHL.Move(fyne.NewPos(hexAt+float32(first)*cw-cw/4, 0))
	r.hexHL.Resize(fyne.NewSize(float32(last-first)*cw+cw/2, h))
	r.asciiHL.Move(fyne.NewPos(asciiAt+float32(1+r.from)*cw, 0))
	r.asciiHL.Resize(fyne.NewSize(float32(r.to-r.from)*cw, h))
}

// byteAt is the index in the row of the byte drawn at x, in the hex or the ASCII
// column, or -1.
func (r *hexRow) byteAt(x float32) int {
	cw := hexCharWidth()
	hexAt, asciiAt := r.columns()
	if x >= asciiAt {
		if i := int((x-asciiAt)/cw) - 1; i >= 0 && i < r.n {
			return i
		}
		return -1
	}
	if x < hexAt {
		return -1
	}
	col := int((x - hexAt) / cw)
	for i := range r.n {
		if c := hexByteCol(i); col >= c && col < c+3 {
			return i
		}
	}
	return -1
}

// Tapped reports the byte tapped to the view.
func (r *hexRow) Tapped(ev *fyne.PointEvent) {
	if i := r.byteAt(ev.Position.X); i >= 0 {
		r.h.tapped(r.start + i)
	}
}

// CreateRenderer implements fyne.Widget.
func (r *hexRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(r.content)
}

// MinSize is the width of a full row and one line of text.
func (r *hexRow) MinSize() fyne.Size {
	h := fyne.MeasureText("0", hexTextSize, hexStyle).Height
	return fyne.NewSize(float32(hexRowChars(r.h.perRow))*hexCharWidth()+2*theme.Padding(), h)
}

// hexRenderer draws a column header over the list of rows, or a hint when empty.
type hexRenderer struct {
	h       *HexView
	header  *canvas.Text
	empty   *canvas.Text
	objects []fyne.CanvasObject
}

func newHexRenderer(h *HexView) *hexRenderer {
	r := &hexRenderer{h: h, header: canvas.NewText("", nil), empty: canvas.NewText("no bytes", nil)}
	r.header.TextSize, r.header.TextStyle = hexTextSize, hexStyle
	r.empty.TextSize = hexTextSize
	r.objects = []fyne.CanvasObject{r.header, h.list, r.empty}
	r.apply()
	return r
}

// hexHeader labels the columns: the low nibble of each byte's offset.
func hexHeader(perRow int) string {
	cols := make([]byte, perRow)
	for i := range cols {
		cols[i] = byte(i)
	}
	_, hex, _ := hexColumns(cols, 0, perRow)
	// Show each column's offset as one digit ("0" … "f") centred under its byte.
	b := []byte(hex)
	for i := 0; i+1 < len(b); i++ {
		if b[i] == '0' && b[i+1] != ' ' {
			b[i] = ' '
			i++
		}
	}
	return "offset    " + string(b) + "  ascii"
}

func (r *hexRenderer) apply() {
	muted := themed(theme.ColorNamePlaceHolder, r.h)
	setText(r.header, hexHeader(r.h.perRow), muted, hexTextSize, hexStyle)
	r.empty.Color = muted
	r.empty.Hidden = len(r.h.data) > 0
	r.empty.Refresh()
}

func (r *hexRenderer) Layout(size fyne.Size) {
	pad := theme.Padding()
	per := 16
	if float32(hexRowChars(16))*hexCharWidth()+4*pad > size.Width {
		per = 8
	}
	if per != r.h.perRow {
		r.h.perRow = per
		r.apply()
		r.h.list.Refresh()
	}
	hh := r.header.MinSize().Height
	// Rows start their text at theme.Padding(); the header lines up with them.
	r.header.Move(fyne.NewPos(pad, pad/2))
	r.header.Resize(fyne.NewSize(size.Width-2*pad, hh))
	top := hh + pad
	r.h.list.Move(fyne.NewPos(0, top))
	r.h.list.Resize(fyne.NewSize(size.Width, size.Height-top))
	r.empty.Move(fyne.NewPos(pad, top+pad))
	r.empty.Resize(r.empty.MinSize())
}

func (r *hexRenderer) MinSize() fyne.Size {
	return fyne.NewSize(HexMinWidth(), 3*r.header.MinSize().Height)
}

// HexMinWidth is the least width a HexView shows whole rows in: eight bytes a
// row, with the offset and the text column, and room for a scroll bar.
func HexMinWidth() float32 {
	return float32(hexRowChars(8))*hexCharWidth() + 4*theme.Padding()
}

func (r *hexRenderer) Refresh() {
	r.apply()
	r.h.list.Refresh()
	r.Layout(r.h.Size())
}

func (r *hexRenderer) Objects() []fyne.CanvasObject {
	return r.objects
}

func (r *hexRenderer) Destroy() {}
