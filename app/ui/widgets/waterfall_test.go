package widgets

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// TestWaterfallBarsShareOneAxis draws two requests: each phase's bar starts
// where its time starts on an axis common to both rows, bars are as long as
// their phases, and each row names its phases with their durations.
func TestWaterfallBarsShareOneAxis(t *testing.T) {
	test.NewTempApp(t)
	w := NewWaterfall()
	ms := time.Millisecond
	w.SetRows([]WaterfallRow{
		{Label: "GET / HTTP/1.1", Phases: []WaterfallPhase{{"DNS lookup", 0, 2 * ms}, {"TCP connect", 2 * ms, 3 * ms}, {"content", 3 * ms, 5 * ms}}},
		{Label: "GET /next HTTP/1.1", Phases: []WaterfallPhase{{"content", 6 * ms, 10 * ms}}},
	})
	showIn(t, w, 420, 200)
	r := test.TempWidgetRenderer(t, w).(*waterfallRenderer)
	inner := w.Size().Width - 2*wfPad
	at := func(d time.Duration) float32 { return wfPad + inner*float32(d)/float32(10*ms) }
	near := func(a, b float32) bool { return a-b < 0.5 && b-a < 0.5 }
	first, second := r.rows[0], r.rows[1]
	if !near(first.bars[1].Position().X, at(2*ms)) || !near(first.bars[1].Size().Width, inner/10) {
		t.Errorf("TCP connect bar at %v, %v wide; want at %v, %v wide", first.bars[1].Position().X, first.bars[1].Size().Width, at(2*ms), inner/10)
	}
	if !near(second.bars[0].Position().X, at(6*ms)) || !near(second.bars[0].Size().Width, inner*4/10) {
		t.Errorf("second request's bar at %v, %v wide; want at %v, %v wide", second.bars[0].Position().X, second.bars[0].Size().Width, at(6*ms), inner*4/10)
	}
	if first.bars[2].FillColor != second.bars[0].FillColor || first.bars[0].FillColor == first.bars[1].FillColor {
		t.Errorf("colours: the same phase must share one, different phases differ")
	}
	if got := first.note.Text; !strings.Contains(got, "DNS lookup 2.00 ms") || !strings.Contains(got, "TCP connect 1.00 ms") {
		t.Errorf("first row's note = %q, want each phase with its duration", got)
	}
	if second.bars[0].Position().Y <= first.bars[0].Position().Y {
		t.Errorf("the second row is not below the first")
	}
}
