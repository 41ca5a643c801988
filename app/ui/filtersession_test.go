package ui

import (
	"path/filepath"
	"testing"
)

// TestSessionSavesFilter saves a session with a display filter: New clears it,
// opening the file puts it back and it narrows the reopened capture.
func TestSessionSavesFilter(t *testing.T) {
	w, _, _ := teapots(t)

	const flt = "http and code == 418"
	if err := w.insp.SetFilter(flt); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "filtered.protolab")
	w.saveTo(path, nil)
	waitFor(t, w, "the save", func() bool { return !w.sess.busy && w.sess.path == path })

	w.newSession()
	waitFor(t, w, "the new session", func() bool { return !w.sess.busy })
	if got := w.insp.Filter(); got != "" {
		t.Errorf("after New the filter is %q, want none", got)
	}
	w.openPath(path)
	waitFor(t, w, "the open", func() bool { return !w.sess.busy && w.sess.path == path })
	if got := w.insp.Filter(); got != flt {
		t.Errorf("reopened: the filter is %q, want %q", got, flt)
	}
	waitFor(t, w, "a conversation shown", func() bool { return w.insp.Selected() != 0 })
	for _, c := range w.hub.Conversations() {
		if c.ID == w.insp.Selected() && c.Protocol != "http" {
			t.Errorf("reopened: shown conversation %d is %s, want an HTTP one the filter lists", c.ID, c.Protocol)
		}
	}
}
