package ui

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/labfile"
)

func statusText(w *Window) string {
	w.tools.refresh()
	return w.tools.status.Segments[0].(*widget.TextSegment).Text
}

// TestStatusAfterOpenAndNew checks the status line against the session shown: an
// opened session is named, with what its recording lost, until something new is
// captured; New starts counting drops afresh.
func TestStatusAfterOpenAndNew(t *testing.T) {
	bench := wire.NewBench(lab.HubOptions{MaxBytes: 16 << 10}) // small: drops come quickly
	t.Cleanup(bench.StopAll)
	w := NewWindow(test.NewTempApp(t), bench)
	t.Cleanup(w.Close)
	for i := range 500 {
		w.hub.Publish(lab.Event{Kind: lab.KindError, Text: fmt.Sprintf("filler %d", i)})
	}
	if s := statusText(w); !strings.HasPrefix(s, "capturing") || strings.Contains(s, " 0 dropped") {
		t.Fatalf("status %q: want capturing, with events dropped", s)
	}

	saved := labfile.Capture(bench, nil)
	if saved.Lost == 0 {
		t.Fatal("the capture records no lost events, though the hub dropped some")
	}
	path := filepath.Join(t.TempDir(), "lossy.protolab")
	if err := labfile.Save(path, saved); err != nil {
		t.Fatal(err)
	}
	w.openPath(path)
	waitFor(t, w, "the open", func() bool { return !w.sess.busy && w.sess.path == path })
	want := fmt.Sprintf("opened lossy.protolab · its recording lost its first %s (", counted(saved.Lost, "event"))
	if s := statusText(w); !strings.HasPrefix(s, want) || !strings.Contains(s, " 0 dropped") {
		t.Errorf("status after opening = %q, want it to begin %q and to count 0 dropped", s, want)
	}
	w.hub.Publish(lab.Event{Kind: lab.KindError, Text: "something new"})
	if s := statusText(w); !strings.HasPrefix(s, "capturing") {
		t.Errorf("status after a new event = %q, want capturing", s)
	}

	for range 500 {
		w.hub.Publish(lab.Event{Kind: lab.KindError, Text: "more filler"})
	}
	w.markSaved(path) // nothing unsaved to ask about
	w.newSession()
	waitFor(t, w, "the new session", func() bool { return !w.sess.busy })
	if s := statusText(w); !strings.HasPrefix(s, "capturing · 0 events") || !strings.Contains(s, " 0 dropped") {
		t.Errorf("status after New = %q, want capturing, no events, 0 dropped", s)
	}
}
