package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/protocollab/protolab/lab"
)

// TestSessionSaveNewOpen saves a session with a capture and a composed request,
// starts a new one, and opens the file again: the servers run again, the
// conversations are back in the inspector, and the request is in its pane.
func TestSessionSaveNewOpen(t *testing.T) {
	w, p, st := teapots(t)
	if !w.dirty() || !strings.Contains(w.win.Title(), "untitled •") {
		t.Errorf("title %q, dirty %v: want an unsaved untitled session", w.win.Title(), w.dirty())
	}
	before := len(w.hub.Conversations())

	path := filepath.Join(t.TempDir(), "teapot.protolab")
	w.saveTo(path, nil)
	waitFor(t, w, "the save", func() bool { return !w.sess.busy && w.sess.path == path })
	if w.dirty() || w.win.Title() != "teapot.protolab — Protocol Lab" {
		t.Errorf("after saving: title %q, dirty %v", w.win.Title(), w.dirty())
	}
	if r := w.recent(); len(r) == 0 || r[0] != path {
		t.Errorf("recent = %q, want %s first", r, path)
	}

	w.newSession()
	waitFor(t, w, "the new session", func() bool { return !w.sess.busy })
	if n := len(w.hub.Conversations()); n != 0 || w.bench.Status("http").Running || w.sess.path != "" {
		t.Fatalf("after New: %d conversations, http running %v, path %q", n, w.bench.Status("http").Running, w.sess.path)
	}
	w.openPath(path)
	waitFor(t, w, "the open", func() bool { return !w.sess.busy && w.sess.path == path })
	if n := len(w.hub.Conversations()); n != before {
		t.Errorf("reopened: %d conversations, want the %d saved", n, before)
	}
	if !w.bench.Status("http").Running {
		t.Error("reopened: the HTTP server is not running again")
	}
	w.refresh()
	if w.insp.Selected() == 0 {
		t.Error("reopened: the inspector shows no conversation")
	}
	if got := p.url.Text; got != "http://"+st.Addr+"/status/418" {
		t.Errorf("reopened: the HTTP pane's URL = %q, want the composed one", got)
	}
	if w.dirty() {
		t.Error("a session just opened counts as changed")
	}
}

// teapots is a window whose HTTP pane has asked its server for /status/418
// three times and has the three answers.
func teapots(t *testing.T) (*Window, *httpPane, lab.ServerStatus) {
	t.Helper()
	w := testWindow(t)
	st := started(t, w, "http")
	p := w.wb.benches["http"].client.(*httpPane)
	p.url.SetText("http://" + st.Addr + "/status/418")
	test.Tap(p.send3)
	waitFor(t, w, "three responses", func() bool { return strings.Count(p.status.Text, "418") == 3 })
	w.hub.Settle()
	w.refresh()
	return w, p, st
}
