package ui

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/protocollab/protolab/lab"
)

type closeBuffer struct{ bytes.Buffer }

func (*closeBuffer) Close() error { return nil }

// filePaneSession logs in to name's server through its pane and waits for the listing.
func filePaneSession(t *testing.T, w *Window, name string) *filePane {
	t.Helper()
	started(t, w, name)
	p := w.wb.benches[name].client.(*filePane)
	test.Tap(p.connect)
	waitFor(t, w, name+" login", func() bool { return p.sess != nil && !p.busy })
	if p.entry("README.txt") == nil || p.entry("pub") == nil {
		t.Fatalf("%s listing %v, want the lab folder's README.txt and pub/ (status %q)", name, p.entries, p.status.Text)
	}
	return p
}

// exercise uploads, downloads, renames, makes and deletes through the pane.
func exercise(t *testing.T, w *Window, p *filePane) {
	t.Helper()
	idle := func() bool { return !p.busy }
	body := strings.Repeat("protocol lab\n", 20000)
	p.upload("notes.txt", io.NopCloser(strings.NewReader(body)), int64(len(body)))
	waitFor(t, w, "the upload", func() bool { return idle() && p.entry("notes.txt") != nil })
	if e := p.entry("notes.txt"); e.Size != int64(len(body)) {
		t.Errorf("uploaded size %d, want %d", e.Size, len(body))
	}
	var got closeBuffer
	p.download("notes.txt", &got)
	waitFor(t, w, "the download", func() bool { return idle() && got.Len() == len(body) })
	if got.String() != body || p.done.Load() != int64(len(body)) {
		t.Errorf("downloaded %d bytes (progress %d), want the %d uploaded", got.Len(), p.done.Load(), len(body))
	}
	p.simple("renaming", func(s fileSession) error {
		return s.Rename(remotePath(p.cwd, "notes.txt"), remotePath(p.cwd, "kept.txt"))
	})
	waitFor(t, w, "the rename", func() bool { return idle() && p.entry("kept.txt") != nil && p.entry("notes.txt") == nil })
	p.simple("mkdir", func(s fileSession) error { return s.Mkdir(remotePath(p.cwd, "box")) })
	waitFor(t, w, "the new folder", func() bool { return idle() && p.entry("box") != nil })
	p.remove(*p.entry("box"))
	waitFor(t, w, "the folder's removal", func() bool { return idle() && p.entry("box") == nil })
	p.remove(*p.entry("kept.txt"))
	waitFor(t, w, "the file's removal", func() bool { return idle() && p.entry("kept.txt") == nil })
	p.open("pub")
	waitFor(t, w, "pub/", func() bool { return idle() && p.entry("hello.txt") != nil })
	p.open("..")
	waitFor(t, w, "back up", func() bool { return idle() && p.entry("README.txt") != nil })
}

// TestFTPPaneBothModes works in passive mode, then switches to active in the same
// session: the data connections are linked under the control connection, opened
// by the client in passive mode and by the server in active mode.
func TestFTPPaneBothModes(t *testing.T) {
	w := testWindow(t)
	p := filePaneSession(t, w, "ftp")
	exercise(t, w, p)
	p.mode.SetSelected(modeActive)
	p.open(".")
	waitFor(t, w, "an active listing", func() bool { return !p.busy && p.entry("README.txt") != nil })
	w.hub.Settle()
	ctrl := p.sess.Conversation()
	modes := map[string]int{}
	for _, ci := range w.hub.Conversations() {
		if ci.Protocol != "ftp-data" {
			continue
		}
		if ci.Link.Parent != ctrl {
			t.Errorf("data conversation %d (%s) under %d, want under the control connection %d", ci.ID, ci.Link.Text(), ci.Link.Parent, ctrl)
		}
		_, mode, _ := strings.Cut(ci.Link.Text(), " · ")
		modes[mode]++
	}
	if modes["passive"] < 8 || modes["active"] != 1 {
		t.Errorf("data connections by mode %v, want the passive ones and one active", modes)
	}
	layers := map[string]bool{}
	for _, e := range w.hub.ConvEvents(ctrl) {
		if e.Kind == lab.KindState {
			layers[e.Layer+" "+e.To] = true
		}
	}
	if !layers["ftp logged-in"] || !layers["ftp transfer"] {
		t.Errorf("control states %v, want logged-in and transfer", layers)
	}
}

// TestSFTPPane does the same over SFTP: one encrypted conversation, with the
// server's report of each operation in it.
func TestSFTPPane(t *testing.T) {
	w := testWindow(t)
	p := filePaneSession(t, w, "sftp")
	exercise(t, w, p)
	w.hub.Settle()
	conv := p.sess.Conversation()
	var sftpOps, encrypted int
	for _, e := range w.hub.ConvEvents(conv) {
		if e.Msg == nil {
			continue
		}
		if e.Layer == "sftp" {
			sftpOps++
		}
		if strings.Contains(e.Msg.Summary, "encrypted from here") {
			encrypted++
		}
	}
	if sftpOps < 6 || encrypted == 0 {
		t.Errorf("%d SFTP operations reported and %d 'encrypted from here' in conversation %d, want the operations after the key exchange", sftpOps, encrypted, conv)
	}
}
