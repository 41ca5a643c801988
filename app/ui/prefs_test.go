package ui

import (
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

// TestWindowRemembersSizeAndSplits closes a window after moving its dividers and
// resizing it, and opens another on the same preferences. The windows are shown
// without their refresh ticker, which would refresh them from another goroutine
// under the test driver.
func TestWindowRemembersSizeAndSplits(t *testing.T) {
	a := test.NewTempApp(t)
	bench := testBench(t)

	w := NewWindow(a, bench)
	w.restoreSize()
	w.win.Show()
	if got := w.win.Canvas().Size(); got != fyne.NewSize(1400, 900) {
		t.Errorf("first run: size %v, want the default 1400×900", got)
	}
	w.win.Resize(fyne.NewSize(1234, 777))
	w.railSplit.SetOffset(0.27)
	w.mainSplit.SetOffset(0.61)
	w.wb.benches[w.wb.current].split.SetOffset(0.38)
	root := w.insp.Object().(*container.Split)
	root.SetOffset(0.33)
	w.insp.Update() // the inspector saves its dividers as it updates
	w.Close()

	w2 := NewWindow(a, bench)
	t.Cleanup(w2.Close)
	w2.restoreSize()
	w2.win.Show()
	if got := w2.win.Canvas().Size(); got != fyne.NewSize(1234, 777) {
		t.Errorf("reopened: size %v, want 1234×777", got)
	}
	for _, s := range []struct {
		name      string
		got, want float64
	}{
		{"rail", w2.railSplit.Offset, 0.27},
		{"inspector", w2.mainSplit.Offset, 0.61},
		{"workbench", w2.wb.benches[w2.wb.current].split.Offset, 0.38},
		{"conversations", w2.insp.Object().(*container.Split).Offset, 0.33},
	} {
		if math.Abs(s.got-s.want) > 1e-6 {
			t.Errorf("reopened: %s divider at %v, want %v", s.name, s.got, s.want)
		}
	}
}
