package ui

import (
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// lineText is one row of a log or a console: small monospace text, tightly spaced
// like a terminal's, ending in an ellipsis when wider than its row.
type lineText struct {
	widget.BaseWidget
	text string
}

// linePad is the space above and below a line and before it.
const linePad = 2

func newLineText() *lineText {
	l := &lineText{}
	l.ExtendBaseWidget(l)
	return l
}

// SetText shows s.
func (l *lineText) SetText(s string) {
	if l.text == s {
		return
	}
	l.text = s
	l.Refresh()
}

func (l *lineText) CreateRenderer() fyne.WidgetRenderer {
	t := canvas.NewText("", nil)
	t.TextStyle = fyne.TextStyle{Monospace: true}
	r := &lineRenderer{l: l, t: t}
	r.Refresh()
	return r
}

type lineRenderer struct {
	l *lineText
	t *canvas.Text
}

func (r *lineRenderer) Layout(s fyne.Size) {
	r.t.Text = fitMono(r.l.text, r.t.TextSize, s.Width-2*linePad)
	r.t.Move(fyne.NewPos(theme.InnerPadding()/2, linePad))
	r.t.Resize(fyne.NewSize(s.Width-theme.InnerPadding()/2, s.Height-linePad))
	r.t.Refresh()
}

func (r *lineRenderer) MinSize() fyne.Size {
	h := fyne.MeasureText("M", r.t.TextSize, r.t.TextStyle).Height
	return fyne.NewSize(0, h+2*linePad)
}

func (r *lineRenderer) Refresh() {
	r.t.TextSize = r.l.Theme().Size(theme.SizeNameCaptionText) + 2
	r.t.Color = r.l.Theme().Color(theme.ColorNameForeground, fyne.CurrentApp().Settings().ThemeVariant())
	r.Layout(r.l.Size())
}

func (r *lineRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.t} }
func (r *lineRenderer) Destroy()                     {}

// fitMono returns s, or its longest prefix and an ellipsis, that fits width in
// monospace text of the given size.
func fitMono(s string, size, width float32) string {
	cw := fyne.MeasureText("M", size, fyne.TextStyle{Monospace: true}).Width
	if cw <= 0 || width <= 0 {
		return ""
	}
	fit := int(width / cw)
	n := utf8.RuneCountInString(s)
	if n <= fit {
		return s
	}
	if fit < 1 {
		return ""
	}
	runes := []rune(s)
	return string(runes[:fit-1]) + "…"
}
