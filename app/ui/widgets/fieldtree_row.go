package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// fieldIndent is how far each level of a FieldTree is indented.
const fieldIndent = 16

// fieldRow is one row of a FieldTree: the selection's background, an arrow for a
// field with children, and "name: value" wrapped to the width.
type fieldRow struct {
	widget.BaseWidget
	t     *FieldTree
	i     int // the field, or -1 (the root)
	depth int
	bg    *canvas.Rectangle
	arrow *canvas.Text
	text  *widget.RichText
}

func newFieldRow(t *FieldTree, i int) *fieldRow {
	r := &fieldRow{t: t, i: i, bg: canvas.NewRectangle(color.Transparent), arrow: canvas.NewText("", nil), text: widget.NewRichText()}
	r.text.Wrapping = fyne.TextWrapWord
	r.ExtendBaseWidget(r)
	return r
}

// setText shows name (bold) and value; the root has only a value, in bold.
func (r *fieldRow) setText(name, value string) {
	var segs []widget.RichTextSegment
	bold := widget.RichTextStyleStrong
	bold.Inline = true
	plain := widget.RichTextStyleInline
	if r.i < 0 {
		segs = append(segs, &widget.TextSegment{Text: value, Style: bold})
	} else {
		segs = append(segs, &widget.TextSegment{Text: name + ":", Style: bold}, &widget.TextSegment{Text: " " + value, Style: plain})
	}
	r.text.Segments = segs
	r.text.Refresh()
}

// Text returns the row's text as shown: "name: value".
func (r *fieldRow) Text() string {
	s := ""
	for _, seg := range r.text.Segments {
		s += seg.(*widget.TextSegment).Text
	}
	return s
}

func (r *fieldRow) setState(depth int, arrow string, selected bool) {
	r.depth = depth
	fill := themed(theme.ColorNameSelection, r.t)
	if !selected {
		fill = color.Transparent
	}
	if r.bg.FillColor != fill {
		r.bg.FillColor = fill
		r.bg.Refresh()
	}
	setText(r.arrow, arrow, themed(theme.ColorNameForeground, r.t), theme.TextSize(), fyne.TextStyle{})
	r.Refresh()
}

// lead is where the row's text begins.
func (r *fieldRow) lead() float32 {
	return float32(r.depth)*fieldIndent + fieldIndent
}

// Tapped selects the row, or opens or closes it when the tap is on its arrow.
func (r *fieldRow) Tapped(ev *fyne.PointEvent) {
	r.t.tapped(r.i, ev.Position.X < r.lead())
}

// CreateRenderer implements fyne.Widget.
func (r *fieldRow) CreateRenderer() fyne.WidgetRenderer {
	return &fieldRowRenderer{r: r, objects: []fyne.CanvasObject{r.bg, r.arrow, r.text}}
}

type fieldRowRenderer struct {
	r       *fieldRow
	objects []fyne.CanvasObject
}

func (rr *fieldRowRenderer) Layout(size fyne.Size) {
	r := rr.r
	r.bg.Resize(size)
	lead := r.lead()
	a := r.arrow.MinSize()
	// The text's own padding, above and below, is halved: rows sit closer, as in a tree.
	r.arrow.Move(fyne.NewPos(lead-fieldIndent+(fieldIndent-a.Width)/2, 0))
	r.arrow.Resize(a)
	r.text.Move(fyne.NewPos(lead-theme.InnerPadding(), -theme.InnerPadding()/2))
	r.text.Resize(fyne.NewSize(size.Width-lead+theme.InnerPadding(), r.text.MinSize().Height))
}

func (rr *fieldRowRenderer) MinSize() fyne.Size {
	m := rr.r.text.MinSize()
	return fyne.NewSize(rr.r.lead()+m.Width, m.Height-theme.InnerPadding())
}

func (rr *fieldRowRenderer) Refresh() {
	rr.Layout(rr.r.Size())
	canvas.Refresh(rr.r)
}

func (rr *fieldRowRenderer) Objects() []fyne.CanvasObject { return rr.objects }

func (rr *fieldRowRenderer) Destroy() {}
