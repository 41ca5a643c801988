package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
)

// sequenceRenderer draws the lane titles on top (they stay put while the arrows
// scroll) and places the scroll container holding the virtualised rows below them.
type sequenceRenderer struct {
	d       *SequenceDiagram
	boxes   []*canvas.Rectangle
	titles  []*canvas.Text
	stems   []*canvas.Line
	objects []fyne.CanvasObject
	xs      []float32
}

const seqTitleSize = 12

func newSequenceRenderer(d *SequenceDiagram) *sequenceRenderer {
	r := &sequenceRenderer{d: d}
	r.sync()
	r.applyColors()
	return r
}

// sync makes one title box per lane and rebuilds the object list when that changes.
func (r *sequenceRenderer) sync() {
	n := len(r.d.lanes)
	if len(r.boxes) == n && r.objects != nil {
		return
	}
	for len(r.boxes) < n {
		box := canvas.NewRectangle(nil)
		box.CornerRadius = 6
		box.StrokeWidth = 1
		r.boxes = append(r.boxes, box)
		title := canvas.NewText("", nil)
		title.Alignment = fyne.TextAlignCenter
		r.titles = append(r.titles, title)
		r.stems = append(r.stems, canvas.NewLine(nil))
	}
	r.boxes, r.titles, r.stems = r.boxes[:n], r.titles[:n], r.stems[:n]
	r.objects = r.objects[:0]
	for i := range n {
		r.objects = append(r.objects, r.stems[i], r.boxes[i], r.titles[i])
	}
	r.objects = append(r.objects, r.d.scroll)
}

func (r *sequenceRenderer) Layout(size fyne.Size) {
	d := r.d
	r.xs = d.laneXs(size.Width, r.xs)
	spacing := size.Width
	if len(r.xs) > 1 {
		spacing = r.xs[1] - r.xs[0]
	}
	style := fyne.TextStyle{Bold: true}
	fg := themed(theme.ColorNameForeground, d)
	for i, x := range r.xs {
		maxW := spacing - 12
		text := fitText(d.lanes[i], seqTitleSize, style, maxW-16)
		w := min(textWidth(text, seqTitleSize, style)+20, maxW)
		const boxH, boxY = 24, 6
		r.boxes[i].Move(fyne.NewPos(x-w/2, boxY))
		r.boxes[i].Resize(fyne.NewSize(w, boxH))
		setText(r.titles[i], text, fg, seqTitleSize, style)
		th := r.titles[i].MinSize().Height
		r.titles[i].Move(fyne.NewPos(x-w/2, boxY+(boxH-th)/2))
		r.titles[i].Resize(fyne.NewSize(w, th))
		r.stems[i].Position1 = fyne.NewPos(x, boxY+boxH)
		r.stems[i].Position2 = fyne.NewPos(x, seqHeaderHeight)
		r.stems[i].Refresh()
	}
	d.scroll.Move(fyne.NewPos(0, seqHeaderHeight))
	view := fyne.NewSize(size.Width, size.Height-seqHeaderHeight)
	grew := view != d.scroll.Size()
	d.scroll.Resize(view)
	switch {
	case d.reveal && d.selected >= 0:
		d.scrollIntoView(d.selected)
		d.body.Refresh()
	case grew:
		// The body draws only the rows in the scroll's view; a taller view with
		// a body of the same size would not lay the body out again.
		d.body.Refresh()
	}
}

func (r *sequenceRenderer) MinSize() fyne.Size {
	return fyne.NewSize(220, seqHeaderHeight+3*seqRowHeight)
}

func (r *sequenceRenderer) Refresh() {
	r.sync()
	r.applyColors()
	r.Layout(r.d.Size())
	r.d.body.Refresh()
}

func (r *sequenceRenderer) applyColors() {
	fg := themed(theme.ColorNameForeground, r.d)
	for i := range r.boxes {
		r.boxes[i].FillColor = withAlpha(fg, 0x14)
		r.boxes[i].StrokeColor = withAlpha(fg, 0x50)
		r.boxes[i].Refresh()
		r.stems[i].StrokeColor = withAlpha(fg, 0x60)
		r.stems[i].StrokeWidth = 1
	}
}

func (r *sequenceRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *sequenceRenderer) Destroy() {}
