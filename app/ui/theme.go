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

// variantTheme is Fyne's default theme held to one variant, light or dark,
// whatever the system prefers.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}

// applyTheme sets the app's theme to choice: themeSystem follows the system.
func applyTheme(a fyne.App, choice string) {
	switch choice {
	case themeLight:
		a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantLight})
	case themeDark:
		a.Settings().SetTheme(variantTheme{theme.DefaultTheme(), theme.VariantDark})
	default:
		a.Settings().SetTheme(theme.DefaultTheme())
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
