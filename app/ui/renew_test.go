package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/protocollab/protolab/labfile"
)

// TestNewAndOpenRenewPanes logs in to FTP and asks DNS, then starts a new
// session and opens a saved one: each time the panes are fresh (not logged in,
// no answer), the old FTP session is closed, and the saved requests are back.
func TestNewAndOpenRenewPanes(t *testing.T) {
	w := testWindow(t)
	ftp := filePaneSession(t, w, "ftp")
	started(t, w, "dns")
	dns := w.wb.benches["dns"].client.(*dnsPane)
	dns.name.SetText("alpha.test")
	test.Tap(dns.ask)
	waitFor(t, w, "the answer", func() bool { return strings.Contains(dns.status.Text, "NOERROR") })

	path := filepath.Join(t.TempDir(), "before.protolab")
	w.saveTo(path, nil)
	waitFor(t, w, "the save", func() bool { return !w.sess.busy && w.sess.path == path })
	w.newSession()
	waitFor(t, w, "the new session", func() bool { return !w.sess.busy })
	fresh := func(when string) {
		t.Helper()
		f, ok := w.wb.benches["ftp"].client.(*filePane)
		if !ok || f == ftp || f.sess != nil || !f.logout.Disabled() || len(f.entries) != 0 {
			t.Errorf("%s: the FTP pane is the old one or still logged in (listing %d entries)", when, len(f.entries))
		}
		d := w.wb.benches["dns"].client.(*dnsPane)
		if d == dns || d.result.Text != "" || strings.Contains(d.status.Text, "NOERROR") {
			t.Errorf("%s: the DNS pane still shows the old answer: %q %q", when, d.status.Text, d.result.Text)
		}
	}
	fresh("after New")
	if n := w.hub.Stats().LiveConvs; n != 0 {
		t.Errorf("%d conversations still live after New; the old FTP session should be closed", n)
	}
	if s, err := labfile.Load(path); err != nil || len(s.Clients) == 0 {
		t.Fatalf("saved session: %v, %d panes' requests", err, len(s.Clients))
	}

	w.openPath(path)
	waitFor(t, w, "the open", func() bool { return !w.sess.busy && w.sess.path == path })
	fresh("after Open")
	if got := w.wb.benches["dns"].client.(*dnsPane).name.Text; got != "alpha.test" {
		t.Errorf("after Open the DNS pane asks for %q, want the saved alpha.test", got)
	}
}

// TestFilePaneServerGone stops the FTP server under a logged-in pane: the next
// listing says the connection is closed in words, and the pane is logged out.
func TestFilePaneServerGone(t *testing.T) {
	w := testWindow(t)
	p := filePaneSession(t, w, "ftp")
	if err := w.bench.Stop("ftp"); err != nil {
		t.Fatal(err)
	}
	p.open(".")
	waitFor(t, w, "the failed listing", func() bool { return !p.busy })
	if !strings.Contains(p.status.Text, "closed the connection") || !strings.Contains(p.status.Text, "Log in again") {
		t.Errorf("status = %q, want the closed connection said in words", p.status.Text)
	}
	if p.sess != nil || !p.logout.Disabled() || p.connect.Disabled() {
		t.Errorf("after the server went: session %v, Log out disabled %v, Log in disabled %v; want logged out",
			p.sess != nil, p.logout.Disabled(), p.connect.Disabled())
	}
}
