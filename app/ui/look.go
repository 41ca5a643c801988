package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// card frames a pane: a slightly raised background with rounded corners.
func card(content fyne.CanvasObject) fyne.CanvasObject {
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameHeaderBackground))
	bg.CornerRadius = theme.InputRadiusSize() * 2
	return container.NewStack(newThemedRect(bg, theme.ColorNameHeaderBackground), container.NewPadded(content))
}

// paneTitle is a pane's heading: "SERVER — TCP echo/chat".
func paneTitle(kind, name string) fyne.CanvasObject {
	l := widget.NewLabelWithStyle(kind+" — "+name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Truncation = fyne.TextTruncateEllipsis
	return l
}

// sectionLabel is a small heading inside a pane.
func sectionLabel(s string) *widget.Label {
	l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameCaptionText
	return l
}

// hintText is a small explanatory note that wraps, in the colour of a form's hints.
func hintText(s string) *widget.RichText {
	t := widget.NewRichText(&widget.TextSegment{Text: s, Style: widget.RichTextStyle{
		ColorName: theme.ColorNamePlaceHolder, SizeName: theme.SizeNameCaptionText, Inline: true,
	}})
	t.Wrapping = fyne.TextWrapWord
	return t
}

// themedRect is a rectangle whose colour follows the theme when it changes.
type themedRect struct {
	widget.BaseWidget
	rect *canvas.Rectangle
	name fyne.ThemeColorName
}

func newThemedRect(r *canvas.Rectangle, name fyne.ThemeColorName) *themedRect {
	t := &themedRect{rect: r, name: name}
	t.ExtendBaseWidget(t)
	return t
}

func (t *themedRect) CreateRenderer() fyne.WidgetRenderer {
	r := &themedRectRenderer{t: t}
	r.Refresh()
	return r
}

type themedRectRenderer struct{ t *themedRect }

func (r *themedRectRenderer) Layout(s fyne.Size)           { r.t.rect.Resize(s) }
func (r *themedRectRenderer) MinSize() fyne.Size           { return fyne.Size{} }
func (r *themedRectRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.t.rect} }
func (r *themedRectRenderer) Destroy()                     {}
func (r *themedRectRenderer) Refresh() {
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.t.rect.FillColor = r.t.Theme().Color(r.t.name, v)
	r.t.rect.Refresh()
}
