package widgets

import (
	"image/color"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
)

// Text sizes and arrow geometry of one row.
const (
	seqLabelSize = 12
	seqNoteSize  = 10
	seqArrowY    = 26 // the arrow's y inside its row; the label sits above it
	seqHeadSize  = 11
	seqLabelPad  = 10 // space kept between a label and the lanes it spans
)

// sequenceBodyRenderer draws the rows in view from pools of reused objects. Pools are
// drawn in a fixed order: selection, lane dashes, arrow lines, arrow heads, text.
type sequenceBodyRenderer struct {
	b          *sequenceBody
	size       fyne.Size
	highlights pool[*canvas.Rectangle]
	dashes     pool[*canvas.Line]
	shafts     pool[*canvas.Line]
	heads      pool[*canvas.Polygon]
	texts      pool[*canvas.Text]
	objects    []fyne.CanvasObject
	xs         []float32
	pal        seqPalette
}

// seqPalette holds the colours of one frame, looked up once per frame.
type seqPalette struct {
	fg, muted, lane, line, selection color.Color
	styles                           [ArrowError + 1]color.Color
}

func newSequenceBodyRenderer(b *sequenceBody) *sequenceBodyRenderer {
	r := &sequenceBodyRenderer{b: b}
	r.highlights.make = func() *canvas.Rectangle {
		rect := canvas.NewRectangle(nil)
		rect.CornerRadius = 4
		return rect
	}
	r.dashes.make = func() *canvas.Line { return &canvas.Line{StrokeWidth: 1} }
	r.shafts.make = func() *canvas.Line { return &canvas.Line{} }
	r.heads.make = func() *canvas.Polygon { return canvas.NewPolygon(3, nil) }
	r.texts.make = func() *canvas.Text { return canvas.NewText("", nil) }
	return r
}

func (r *sequenceBodyRenderer) Layout(size fyne.Size) {
	r.size = size
	r.draw()
}

func (r *sequenceBodyRenderer) MinSize() fyne.Size {
	return fyne.NewSize(220, seqContentHeight(len(r.b.d.arrows)))
}

func (r *sequenceBodyRenderer) Refresh() { r.draw() }

func (r *sequenceBodyRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *sequenceBodyRenderer) Destroy() {}

func (r *sequenceBodyRenderer) loadPalette() {
	w := r.b
	fg := themed(theme.ColorNameForeground, w)
	r.pal = seqPalette{
		fg:        fg,
		muted:     themed(theme.ColorNamePlaceHolder, w),
		lane:      withAlpha(fg, 0x58),
		line:      withAlpha(fg, 0xb8),
		selection: themed(theme.ColorNameSelection, w),
	}
	r.pal.styles = [...]color.Color{
		ArrowNormal:    fg,
		ArrowHandshake: accentAmber.tone(w),
		ArrowTeardown:  accentTeardown.tone(w),
		ArrowSecure:    accentViolet.tone(w),
		ArrowError:     accentRed.tone(w),
	}
}

// draw places the objects for the rows in view, reusing last frame's objects.
func (r *sequenceBodyRenderer) draw() {
	d := r.b.d
	r.loadPalette()
	first, end := r.b.visibleRows()
	gutter := seqGutter(len(d.arrows))
	r.xs = d.laneXs(r.size.Width, r.xs)
	numStyle := fyne.TextStyle{Monospace: true}
	for i := first; i < end; i++ {
		top := seqRowTop(i)
		for _, x := range r.xs {
			for y := top; y < top+seqRowHeight; y += seqDashPeriod {
				r.line(r.dashes.take(), x, y, x, y+seqDashLength, r.pal.lane, 1)
			}
		}
		if i >= len(d.arrows) {
			continue
		}
		selected := i == d.selected
		if selected {
			hl := r.highlights.take()
			hl.FillColor = r.pal.selection
			hl.Move(fyne.NewPos(2, top+1))
			hl.Resize(fyne.NewSize(r.size.Width-4, seqRowHeight-2))
			hl.Refresh()
		}
		r.exchangeBand(i, top)
		num := strconv.Itoa(i + 1)
		r.text(num, r.pal.muted, seqNumberSize, numStyle,
			gutter-6-textWidth(num, seqNumberSize, numStyle), top+seqArrowY, true)
		r.arrow(d.arrows[i], top, selected)
	}
	r.exchangeBrackets(first, end)
	r.highlights.end()
	r.dashes.end()
	r.shafts.end()
	r.heads.end()
	r.texts.end()
	r.rebuildObjects()
}

func (r *sequenceBodyRenderer) rebuildObjects() {
	if !(r.highlights.grew || r.dashes.grew || r.shafts.grew || r.heads.grew || r.texts.grew) {
		return
	}
	r.objects = r.objects[:0]
	r.objects = r.highlights.appendTo(r.objects)
	r.objects = r.dashes.appendTo(r.objects)
	r.objects = r.shafts.appendTo(r.objects)
	r.objects = r.heads.appendTo(r.objects)
	r.objects = r.texts.appendTo(r.objects)
	r.highlights.grew, r.dashes.grew, r.shafts.grew, r.heads.grew, r.texts.grew = false, false, false, false, false
}

// arrow draws one message: its line, head, label and note.
func (r *sequenceBodyRenderer) arrow(a Arrow, top float32, selected bool) {
	last := len(r.xs) - 1
	from, to := min(max(a.From, 0), last), min(max(a.To, 0), last)
	y := top + seqArrowY
	col := r.pal.styles[min(max(a.Style, 0), ArrowError)]
	lineCol := col
	if a.Style == ArrowNormal {
		lineCol = r.pal.line
	}
	width := float32(1.5)
	if a.Style == ArrowTeardown || a.Style == ArrowError {
		width = 2.5
	}
	if selected {
		width++
	}

	var left, right float32 // the span the label may use
	if from == to {
		// A message a lane sends itself: a small loop to the right of the lane.
		x := r.xs[from]
		const loopW, loopH = 26, 10
		r.line(r.shafts.take(), x+2, y-loopH, x+loopW, y-loopH, lineCol, width)
		r.line(r.shafts.take(), x+loopW, y-loopH, x+loopW, y, lineCol, width)
		r.line(r.shafts.take(), x+loopW, y, x+2+seqHeadSize-2, y, lineCol, width)
		r.head(x+2+seqHeadSize/2, y, -1, lineCol)
		left, right = x+loopW+6, r.size.Width-seqLabelPad
		if from < last {
			right = r.xs[from+1] - seqLabelPad
		}
	} else {
		x1, x2 := r.xs[from], r.xs[to]
		dir := float32(1)
		if x2 < x1 {
			dir = -1
		}
		start, tip := x1+dir*2, x2-dir*2
		shaftEnd := tip - dir*(seqHeadSize-2)
		if a.Inferred {
			const on, off = 6, 4
			for x := start; (shaftEnd-x)*dir > 0; x += dir * (on + off) {
				stop := x + dir*on
				if (stop-shaftEnd)*dir > 0 {
					stop = shaftEnd
				}
				r.line(r.shafts.take(), x, y, stop, y, lineCol, width)
			}
		} else {
			r.line(r.shafts.take(), start, y, shaftEnd, y, lineCol, width)
		}
		if a.Style == ArrowTeardown {
			// A stop bar where the closing side starts: FIN and RST read apart from data
			// even without colour.
			r.line(r.shafts.take(), start, y-6, start, y+6, lineCol, width)
		}
		r.head(tip-dir*seqHeadSize/2, y, dir, lineCol)
		left, right = min(x1, x2)+seqLabelPad, max(x1, x2)-seqLabelPad
	}
	r.label(a, col, left, right, y, selected)
}

// label draws the arrow's label centred over its span, and its note after it when
// there is room; the label is shortened with an ellipsis when the span is too short.
func (r *sequenceBodyRenderer) label(a Arrow, col color.Color, left, right, y float32, selected bool) {
	avail := right - left
	style := fyne.TextStyle{Bold: selected, Italic: a.Inferred}
	text := fitText(a.Label, seqLabelSize, style, avail)
	lw := textWidth(text, seqLabelSize, style)
	note, nw := "", float32(0)
	if a.Note != "" && text == a.Label {
		if w := textWidth(a.Note, seqNoteSize, fyne.TextStyle{}) + 6; lw+w <= avail {
			note, nw = a.Note, w
		}
	}
	x := left + (avail-lw-nw)/2
	base := y - 4 // text bottoms sit just above the line
	if text != "" {
		r.text(text, col, seqLabelSize, style, x, base, false)
	}
	if note != "" {
		r.text(note, r.pal.muted, seqNoteSize, fyne.TextStyle{}, x+lw+6, base-1, false)
	}
}

// text places a reused canvas.Text with its left edge at x; its vertical centre at y
// when centred is true, else its bottom at y.
func (r *sequenceBodyRenderer) text(s string, col color.Color, size float32, style fyne.TextStyle, x, y float32, centred bool) {
	t := r.texts.take()
	setText(t, s, col, size, style)
	sz := t.MinSize()
	if centred {
		y -= sz.Height / 2
	} else {
		y -= sz.Height
	}
	t.Move(fyne.NewPos(x, y))
	t.Resize(sz)
}

func (r *sequenceBodyRenderer) line(l *canvas.Line, x1, y1, x2, y2 float32, col color.Color, width float32) {
	l.Position1, l.Position2 = fyne.NewPos(x1, y1), fyne.NewPos(x2, y2)
	l.StrokeColor, l.StrokeWidth = col, width
	l.Refresh()
}

// head draws a triangle centred at (x, y) pointing right (dir 1) or left (dir -1).
func (r *sequenceBodyRenderer) head(x, y, dir float32, col color.Color) {
	p := r.heads.take()
	p.FillColor = col
	p.Angle = 90 * dir
	p.Move(fyne.NewPos(x-seqHeadSize/2, y-seqHeadSize/2))
	p.Resize(fyne.NewSize(seqHeadSize, seqHeadSize))
	p.Refresh()
}
