package widgets

import (
	"image/color"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
)

// ellipsis ends a string that was cut to fit.
const ellipsis = "…"

// fitText returns s, or its longest prefix followed by an ellipsis, that fits in width
// at the given size and style; "" when not even the ellipsis fits.
func fitText(s string, size float32, style fyne.TextStyle, width float32) string {
	if s == "" || fyne.MeasureText(s, size, style).Width <= width {
		return s
	}
	runes := []rune(s)
	lo, hi := 0, len(runes) // the answer's prefix length lies in [lo, hi)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fyne.MeasureText(string(runes[:mid])+ellipsis, size, style).Width <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if lo == 0 {
		if fyne.MeasureText(ellipsis, size, style).Width <= width {
			return ellipsis
		}
		return ""
	}
	return string(runes[:lo]) + ellipsis
}

// setText updates a canvas.Text in place and refreshes it only when something changed,
// so reused objects do not re-render their glyphs on every frame.
func setText(t *canvas.Text, s string, c color.Color, size float32, style fyne.TextStyle) {
	if t.Text == s && t.Color == c && t.TextSize == size && t.TextStyle == style {
		return
	}
	t.Text, t.Color, t.TextSize, t.TextStyle = s, c, size, style
	t.Refresh()
}

// textWidth is the width of s drawn at size and style.
func textWidth(s string, size float32, style fyne.TextStyle) float32 {
	return fyne.MeasureText(s, size, style).Width
}

// seqNumberSize is the text size of the row numbers in the sequence diagram's gutter.
const seqNumberSize = 10

// seqGutter is the width of the gutter holding row numbers for n arrows.
func seqGutter(n int) float32 {
	digits := strconv.Itoa(max(n, 99))
	return textWidth(digits, seqNumberSize, fyne.TextStyle{Monospace: true}) + 12
}
