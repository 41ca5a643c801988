package ui

import (
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/protocollab/protolab/lab/labdir"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
	"github.com/protocollab/protolab/labfile"
)

// TestRecoveryKeptForAskedSession starts the window as `protolab FILE.protolab`
// does while a crash's session waits in the recovery file: the window shows the
// file asked for, and the crash's session is kept aside, first in Open Recent,
// not offered in its place nor overwritten.
func TestRecoveryKeptForAskedSession(t *testing.T) {
	dir := labdirtest.Temp(t).Config
	recovery, err := labdir.Recovery()
	if err != nil {
		t.Fatal(err)
	}
	left := testBench(t)
	if err := left.Start("tcp"); err != nil {
		t.Fatal(err)
	}
	if err := labfile.Save(recovery, labfile.Capture(left, nil)); err != nil {
		t.Fatal(err)
	}
	left.StopAll()
	asked := filepath.Join(t.TempDir(), "asked.protolab")
	if err := labfile.Save(asked, labfile.Capture(testBench(t), nil)); err != nil {
		t.Fatal(err)
	}

	w := NewWindow(test.NewTempApp(t), testBench(t))
	t.Cleanup(w.Close)
	w.Open(asked)
	w.Show()
	waitFor(t, w, "the asked session", func() bool { return !w.sess.busy && w.sess.path == asked })

	if _, err := os.Stat(recovery); err == nil {
		t.Error("the crash's session is still where the autosaver writes")
	}
	kept, _ := filepath.Glob(filepath.Join(dir, "unsaved *"+labfile.Extension))
	if len(kept) != 1 {
		t.Fatalf("kept aside: %q, want one file", kept)
	}
	if _, err := labfile.Load(kept[0]); err != nil {
		t.Errorf("the kept session does not open: %v", err)
	}
	r := w.recent()
	found := false
	for _, p := range r {
		found = found || p == kept[0]
	}
	if !found {
		t.Errorf("Open Recent = %q, want the kept session listed", r)
	}
}
