package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/internal/version/versiontest"
)

// Help › About shows the version, the commit and the build date stamped into
// the binary.
func TestAboutShowsVersion(t *testing.T) {
	versiontest.Stamp(t, "4.5.6", "fedcba9876543210fedcba9876543210fedcba98", "2026-12-05T15:04:05Z")
	w := testWindow(t)
	var about *fyne.MenuItem
	for _, m := range w.win.MainMenu().Items {
		if m.Label != "Help" {
			continue
		}
		for _, it := range m.Items {
			if it.Label == "About Protocol Lab" {
				about = it
			}
		}
	}
	if about == nil {
		t.Fatal("no Help › About Protocol Lab in the main menu")
	}
	about.Action()
	top := w.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("About Protocol Lab shows no dialog")
	}
	var texts []string
	walkObjects(top, func(o fyne.CanvasObject) bool {
		if l, ok := o.(*widget.Label); ok {
			texts = append(texts, l.Text)
		}
		return false
	})
	all := strings.Join(texts, "\n")
	for _, want := range []string{"Protocol Lab 4.5.6", "Commit fedcba9, built 2026-12-05"} {
		if !strings.Contains(all, want) {
			t.Errorf("About shows %q, want it to show %q", all, want)
		}
	}
}
