package ui

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

func TestLightThemeTextContrast(t *testing.T) {
	a := test.NewTempApp(t)
	applyTheme(a, themeLight)
	th := a.Settings().Theme()
	bg := th.Color(theme.ColorNameBackground, theme.VariantDark) // held to light
	for _, n := range []fyne.ThemeColorName{theme.ColorNameSuccess, theme.ColorNameWarning, theme.ColorNameForeground} {
		if c := contrast(th.Color(n, theme.VariantDark), bg); c < 4.5 {
			t.Errorf("light theme: %s on the background has contrast %.2f, want at least 4.5", n, c)
		}
	}
	applyTheme(a, themeDark)
	th = a.Settings().Theme()
	if got, want := th.Color(theme.ColorNameSuccess, theme.VariantLight), theme.DefaultTheme().Color(theme.ColorNameSuccess, theme.VariantDark); got != want {
		t.Errorf("dark theme: success = %v, want Fyne's dark %v", got, want)
	}
}

// contrast is the WCAG contrast ratio of two colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		x := float64(v) / 0xffff
		if x <= 0.03928 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

func TestCounted(t *testing.T) {
	for n, want := range map[string]string{
		counted(1, "entry"): "1 entry", counted(2, "entry"): "2 entries", counted(0, "message"): "0 messages",
		counted(1, "byte"): "1 byte", counted(12345, "event"): "12,345 events", counted(3, "key"): "3 keys",
	} {
		if n != want {
			t.Errorf("counted = %q, want %q", n, want)
		}
	}
}
