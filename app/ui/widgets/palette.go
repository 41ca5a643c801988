package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// accent is a colour with one tone for dark backgrounds and a deeper one for light
// backgrounds, so text and thin lines keep their contrast in both theme variants.
type accent struct{ onDark, onLight color.NRGBA }

var (
	accentBlue     = accent{color.NRGBA{0x4c, 0x8d, 0xf6, 0xff}, color.NRGBA{0x1f, 0x6f, 0xeb, 0xff}}
	accentAmber    = accent{color.NRGBA{0xf0, 0xb4, 0x29, 0xff}, color.NRGBA{0xb7, 0x79, 0x00, 0xff}}
	accentViolet   = accent{color.NRGBA{0xb3, 0x8b, 0xfa, 0xff}, color.NRGBA{0x7c, 0x3a, 0xed, 0xff}}
	accentTeardown = accent{color.NRGBA{0xff, 0x7a, 0x45, 0xff}, color.NRGBA{0xd9, 0x48, 0x0f, 0xff}}
	accentRed      = accent{color.NRGBA{0xf8, 0x59, 0x59, 0xff}, color.NRGBA{0xc8, 0x1e, 0x1e, 0xff}}
)

// onAccent is the text colour drawn on a filled accent box: white reads on both tones.
var onAccent = color.NRGBA{0xff, 0xff, 0xff, 0xff}

// themed returns a theme colour as the widget w sees it.
func themed(name fyne.ThemeColorName, w fyne.Widget) color.Color {
	return theme.ColorForWidget(name, w)
}

// darkBackground reports whether the widget's theme draws on a dark background. It
// looks at the colour itself rather than the variant, so custom themes work too.
func darkBackground(w fyne.Widget) bool {
	r, g, b, _ := themed(theme.ColorNameBackground, w).RGBA()
	// Relative luminance, rough weights; RGBA gives 16-bit channels.
	lum := (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)) / 0xffff
	return lum < 0.5
}

// tone picks the accent's tone for the widget's background.
func (a accent) tone(w fyne.Widget) color.NRGBA {
	if darkBackground(w) {
		return a.onDark
	}
	return a.onLight
}

// withAlpha returns c with its alpha replaced by a (0–255), keeping the colour.
func withAlpha(c color.Color, a uint8) color.NRGBA {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = uint8(uint16(n.A) * uint16(a) / 0xff)
	return n
}
