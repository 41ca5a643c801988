package ui

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// testRunner is a runner over goroutines that wg waits for, reporting in a
// hidden status line, with its controls' calls counted by busy state.
func testRunner(t *testing.T) (*runner, *sync.WaitGroup, map[bool]int) {
	t.Helper()
	test.NewTempApp(t)
	var wg sync.WaitGroup
	ctx := PaneContext{Go: func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}}
	status := widget.NewLabel("")
	status.Hide()
	calls := map[bool]int{}
	r := newRunner(ctx, status, nil)
	r.controls = func() { calls[r.busy]++ }
	return &r, &wg, calls
}

// TestRunnerBusyOneAtATime: while work runs the pane is busy, its controls are
// off and its status says so, and a second piece of work is refused; then the
// report runs with busy false and the controls come back.
func TestRunnerBusyOneAtATime(t *testing.T) {
	r, wg, calls := testRunner(t)
	release := make(chan struct{})
	reported := false
	r.run("listing /pub", func() error { <-release; return nil }, func() { reported = !r.busy })
	if !r.busy || calls[true] != 1 {
		t.Errorf("while working: busy %v, controls set busy %d times, want busy and once", r.busy, calls[true])
	}
	if got, want := r.statusLine.Text, "listing /pub …"; got != want {
		t.Errorf("status = %q, want %q", got, want)
	}
	second := false
	r.run("again", func() error { second = true; return nil }, nil)
	close(release)
	wg.Wait()
	if second {
		t.Error("a second run while busy ran its work")
	}
	if !reported || r.busy || calls[false] != 1 {
		t.Errorf("after: report saw idle %v, busy %v, controls set idle %d times; want the report idle and the controls set once",
			reported, r.busy, calls[false])
	}
	if r.statusLine.Text != "listing /pub …" || r.statusLine.Importance == widget.DangerImportance {
		t.Errorf("status after success = %q (importance %v), want the pane's own report to say what came of it", r.statusLine.Text, r.statusLine.Importance)
	}
}

// TestRunnerReportsError: a failure shows in the status line, in red and told
// for a person, shown if it was hidden; run's after does not run, runThen's
// report does with the error.
func TestRunnerReportsError(t *testing.T) {
	r, wg, _ := testRunner(t)
	r.problem = func(err error) string { return "the server said no: " + err.Error() }
	refused := errors.New("530 not logged in")
	after := false
	r.run("", func() error { return refused }, func() { after = true })
	wg.Wait()
	if after {
		t.Error("run's after ran although the work failed")
	}
	if got, want := r.statusLine.Text, "the server said no: 530 not logged in"; got != want {
		t.Errorf("status = %q, want %q", got, want)
	}
	if !r.statusLine.Visible() || r.statusLine.Importance != widget.DangerImportance {
		t.Errorf("status visible %v, importance %v; want a shown, red error", r.statusLine.Visible(), r.statusLine.Importance)
	}
	var got error
	r.runThen("again", func() error { return refused }, func(err error) { got = err })
	wg.Wait()
	if !errors.Is(got, refused) {
		t.Errorf("runThen reported %v, want %v", got, refused)
	}
}

// TestRunnerNextWorkLeavesAfterReport: work a report starts (a listing after
// an upload) is sent off only after the report and the controls are done, so
// that its own report, which may come at once, never meets this one.
func TestRunnerNextWorkLeavesAfterReport(t *testing.T) {
	r, wg, _ := testRunner(t)
	var events []string
	async := r.async
	r.async = func(work, done func()) {
		events = append(events, "sent")
		async(work, done)
	}
	r.controls = func() { events = append(events, fmt.Sprintf("controls busy=%v", r.busy)) }
	r.run("uploading", func() error { return nil }, func() {
		r.run("listing", func() error { return nil }, func() { events = append(events, "listed") })
		events = append(events, "uploaded")
	})
	wg.Wait()
	want := []string{
		"controls busy=true", "sent", // the upload
		"controls busy=true", "uploaded", "controls busy=true", "sent", // its report starts the listing
		"listed", "controls busy=false",
	}
	if !slices.Equal(events, want) {
		t.Errorf("events\n%q\nwant\n%q", events, want)
	}
}
