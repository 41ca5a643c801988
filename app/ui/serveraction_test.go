package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/protocols/mqtt"
)

// TestServerActionAsksThenRuns: the broker's server pane offers clearing its
// store as a button that asks first; Cancel does nothing, confirming clears
// it, restarts the running broker and says so under the button.
func TestServerActionAsksThenRuns(t *testing.T) {
	w, _ := brokerPane[*mqttPane](t, mqtt.Name)
	s := w.wb.benches[mqtt.Name].server
	if len(s.actions) != 1 || !strings.Contains(s.actions[0].button.Text, "Clear retained") {
		t.Fatalf("the broker's server pane offers %d actions", len(s.actions))
	}
	sa := s.actions[0]
	before := w.bench.Addr(mqtt.Name)

	confirm := func(label string) {
		t.Helper()
		test.Tap(sa.button)
		top := w.win.Canvas().Overlays().Top()
		if top == nil {
			t.Fatal("the action ran without asking")
		}
		var b *widget.Button
		walkObjects(top, func(o fyne.CanvasObject) bool {
			if x, ok := o.(*widget.Button); ok && x.Text == label {
				b = x
				return true
			}
			return false
		})
		if b == nil {
			t.Fatalf("the question has no %q button", label)
		}
		test.Tap(b)
		w.async.Wait()
	}
	confirm("Cancel")
	if sa.result.Visible() {
		t.Fatalf("cancelled, yet the action says %q", sa.result.Text)
	}
	confirm(sa.a.Label)
	if !sa.result.Visible() || !strings.Contains(sa.result.Text, "cleared") || sa.result.Importance != widget.SuccessImportance {
		t.Errorf("after the action, under its button: %q (importance %v)", sa.result.Text, sa.result.Importance)
	}
	for _, n := range w.reg.WithParts(mqtt.Name) {
		if !w.bench.Status(n).Running {
			t.Errorf("%s is not running after the action", n)
		}
	}
	if before == "" || w.bench.Addr(mqtt.Name) == "" {
		t.Errorf("the broker's address before and after: %q, %q", before, w.bench.Addr(mqtt.Name))
	}
}
