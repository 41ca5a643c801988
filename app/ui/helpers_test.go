package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/lab"
)

// testBench is the app's own bench (every protocol wired as in protolab), with
// every server on a free port.
func testBench(t testing.TB) *lab.Bench {
	t.Helper()
	b := wire.NewBench(lab.HubOptions{})
	for _, p := range b.Registry().All() {
		b.SetPort(p.Name, 0)
	}
	t.Cleanup(b.StopAll)
	return b
}

// testWindow is a headless main window over a fresh bench.
func testWindow(t testing.TB) *Window {
	t.Helper()
	a := test.NewTempApp(t)
	w := NewWindow(a, testBench(t))
	t.Cleanup(w.Close)
	return w
}

// waitFor refreshes the window each time a pane reports news until ok holds, or
// fails the test when it does not hold within 15 seconds.
func waitFor(t *testing.T, w *Window, what string, ok func() bool) {
	t.Helper()
	deadline := time.NewTimer(15 * time.Second) // a bound for a stuck test, not a speed check
	defer deadline.Stop()
	for {
		w.async.Wait()
		w.refresh()
		w.async.Wait() // a refresh may start pane work: let it finish before looking
		if ok() {
			return
		}
		select {
		case <-w.poke:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// started starts name's server and selects its workbench.
func started(t testing.TB, w *Window, name string) lab.ServerStatus {
	t.Helper()
	if err := w.bench.Start(name); err != nil {
		t.Fatalf("Start(%s): %v", name, err)
	}
	w.selectProtocol(name)
	w.refresh()
	return w.bench.Status(name)
}

// walkObjects calls visit for o and, unless visit says it found what it wanted
// there, for every object inside it: a container's objects, a widget's
// renderer's.
func walkObjects(o fyne.CanvasObject, visit func(fyne.CanvasObject) bool) {
	if visit(o) {
		return
	}
	switch o := o.(type) {
	case *fyne.Container:
		for _, c := range o.Objects {
			walkObjects(c, visit)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(o).Objects() {
			walkObjects(c, visit)
		}
	}
}
