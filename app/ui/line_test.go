package ui

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

// TestLineShowsUnderscores: a console or log row drawn with only underscores
// (NATS's "_INBOX." subjects) shows them: some pixels differ from the background.
func TestLineShowsUnderscores(t *testing.T) {
	test.NewTempApp(t)
	l := newLineText()
	l.SetText("________________")
	w := test.NewTempWindow(t, container.NewVBox(l))
	w.Resize(fyne.NewSize(300, l.MinSize().Height+8))
	img := w.Canvas().Capture()
	b := img.Bounds()
	bg := img.At(b.Max.X-1, b.Max.Y-1)
	lit := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if !sameColor(img.At(x, y), bg) {
				lit++
			}
		}
	}
	if lit == 0 {
		t.Error("a row of underscores draws nothing")
	}
}

func sameColor(a, b color.Color) bool {
	ar, ag, ab, aa := a.RGBA()
	br, bg, bb, ba := b.RGBA()
	return ar == br && ag == bg && ab == bb && aa == ba
}
