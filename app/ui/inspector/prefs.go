package inspector

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
)

// savedSplit remembers a split's divider in the app's preferences under
// "inspector.split.<name>".
type savedSplit struct {
	split *container.Split
	key   string
	saved float64
}

// remember restores s's divider from the preferences (keeping its offset when
// nothing is saved) and returns the record that keeps it saved.
func remember(s *container.Split, name string) *savedSplit {
	r := &savedSplit{split: s, key: "inspector.split." + name, saved: s.Offset}
	if p := prefs(); p != nil {
		if v := p.FloatWithFallback(r.key, s.Offset); v > 0 && v < 1 {
			s.SetOffset(v)
			r.saved = v
		}
	}
	return r
}

// save stores the divider if the person moved it.
func (r *savedSplit) save() {
	if r.split.Offset == r.saved {
		return
	}
	r.saved = r.split.Offset
	if p := prefs(); p != nil {
		p.SetFloat(r.key, r.saved)
	}
}

func prefs() fyne.Preferences {
	if a := fyne.CurrentApp(); a != nil {
		return a.Preferences()
	}
	return nil
}
