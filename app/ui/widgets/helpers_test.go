package widgets

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
)

// walk visits o and everything its renderers and containers hold, hidden or not.
func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	visit(o)
	switch x := o.(type) {
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			walk(c, visit)
		}
	case *fyne.Container:
		for _, c := range x.Objects {
			walk(c, visit)
		}
	}
}

// countObjects counts every canvas object under o.
func countObjects(o fyne.CanvasObject) int {
	n := 0
	walk(o, func(fyne.CanvasObject) { n++ })
	return n
}

// visibleTexts returns the strings of the visible canvas.Text objects under o.
func visibleTexts(o fyne.CanvasObject) []string {
	var texts []string
	walk(o, func(c fyne.CanvasObject) {
		if t, ok := c.(*canvas.Text); ok && t.Visible() && t.Text != "" {
			texts = append(texts, t.Text)
		}
	})
	return texts
}

// showIn puts content in a test window of the given size.
func showIn(t testing.TB, content fyne.CanvasObject, w, h float32) fyne.Window {
	win := test.NewTempWindow(t, content)
	win.Resize(fyne.NewSize(w, h))
	return win
}

func sameColor(a, b color.Color) bool {
	if a == nil || b == nil {
		return a == b
	}
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}
