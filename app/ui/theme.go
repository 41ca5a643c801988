package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// The theme choices of the View menu.
const (
	themeSystem = "system"
	themeLight  = "light"
	themeDark   = "dark"
)

// labTheme is Fyne's default theme, optionally held to one variant (light or
// dark) whatever the system prefers, with deeper success and warning colours on
// light backgrounds: the default ones are too pale for text on white.
type labTheme struct {
	fyne.Theme
	fixed   bool
	variant fyne.ThemeVariant
}

// Text colours for light backgrounds, at least 4.5:1 against white.
var (
	lightSuccess = color.NRGBA{R: 0x1a, G: 0x7f, B: 0x37, A: 0xff}
	lightWarning = color.NRGBA{R: 0xb4, G: 0x53, B: 0x09, A: 0xff}
)

func (t labTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if t.fixed {
		v = t.variant
	}
	if v == theme.VariantLight {
		switch n {
		case theme.ColorNameSuccess:
			return lightSuccess
		case theme.ColorNameWarning:
			return lightWarning
		}
	}
	return t.Theme.Color(n, v)
}

// applyTheme sets the app's theme to choice: themeSystem follows the system.
func applyTheme(a fyne.App, choice string) {
	switch choice {
	case themeLight:
		a.Settings().SetTheme(labTheme{theme.DefaultTheme(), true, theme.VariantLight})
	case themeDark:
		a.Settings().SetTheme(labTheme{theme.DefaultTheme(), true, theme.VariantDark})
	default:
		a.Settings().SetTheme(labTheme{Theme: theme.DefaultTheme()})
	}
}

// themeItems are the View menu's theme choices, the current one checked.
func (w *Window) themeItems() []*fyne.MenuItem {
	choices := []struct{ key, label string }{
		{themeSystem, "Theme: follow the system"},
		{themeLight, "Theme: light"},
		{themeDark, "Theme: dark"},
	}
	items := make([]*fyne.MenuItem, len(choices))
	current := w.app.Preferences().StringWithFallback(prefTheme, themeSystem)
	for i, c := range choices {
		items[i] = fyne.NewMenuItem(c.label, func() {
			w.app.Preferences().SetString(prefTheme, c.key)
			applyTheme(w.app, c.key)
			for j := range items {
				items[j].Checked = j == i
			}
			w.win.MainMenu().Refresh()
			w.refresh()
		})
		items[i].Checked = c.key == current
	}
	return items
}
