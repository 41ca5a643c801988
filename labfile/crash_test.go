package labfile_test

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/protocollab/protolab/labfile"
)

// fullDisk accepts limit bytes, then fails as a full disk does.
type fullDisk struct {
	w     io.Writer
	limit int
}

func (d *fullDisk) Write(p []byte) (int, error) {
	if len(p) <= d.limit {
		d.limit -= len(p)
		return d.w.Write(p)
	}
	n, _ := d.w.Write(p[:d.limit])
	d.limit = 0
	return n, &os.PathError{Op: "write", Path: "session", Err: syscall.ENOSPC}
}

// saveOld saves a small session at a new path and returns both.
func saveOld(t *testing.T) (string, *labfile.Session) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lab"+labfile.Extension)
	old := labfile.SyntheticSession(100)
	if err := labfile.Save(path, old); err != nil {
		t.Fatal(err)
	}
	return path, old
}

func TestSaveDiskFull(t *testing.T) {
	path, old := saveOld(t)
	defer func(w func(io.Writer) io.Writer) { *labfile.WrapTemp = w }(*labfile.WrapTemp)
	*labfile.WrapTemp = func(w io.Writer) io.Writer { return &fullDisk{w: w, limit: 50 << 10} }

	err := labfile.Save(path, labfile.SyntheticSession(20000))
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Save on a full disk = %v, want ENOSPC", err)
	}
	t.Logf("Save: %v", err)
	got, err := labfile.Load(path)
	if err != nil {
		t.Fatalf("the old file does not open after a failed save: %v", err)
	}
	labfile.CompareSessions(t, got, old)
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp*")); len(left) > 0 {
		t.Errorf("a failed Save left temporary files: %q", left)
	}
}

// TestSaveKilledHelper is the process TestSaveKilled kills half-way through a save.
func TestSaveKilledHelper(t *testing.T) {
	path := os.Getenv("LABFILE_KILLED_SAVE")
	if path == "" {
		t.Skip("run by TestSaveKilled")
	}
	*labfile.WrapTemp = func(w io.Writer) io.Writer { return &halfThenHang{w: w} }
	labfile.Save(path, labfile.SyntheticSession(100000))
	t.Fatal("Save returned; it should have hung half-way")
}

// halfThenHang writes half of its first write, says so, and never returns.
type halfThenHang struct{ w io.Writer }

func (h *halfThenHang) Write(p []byte) (int, error) {
	h.w.Write(p[:len(p)/2])
	os.Stdout.WriteString("\nhalf-way\n")
	select {}
}

func TestSaveKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	path, old := saveOld(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestSaveKilledHelper$", "-test.v")
	cmd.Env = append(os.Environ(), "LABFILE_KILLED_SAVE="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() && sc.Text() != "half-way" {
	}
	cmd.Process.Kill() // SIGKILL: no deferred cleanup runs
	cmd.Wait()

	got, err := labfile.Load(path)
	if err != nil {
		t.Fatalf("the old file does not open after a killed save: %v", err)
	}
	labfile.CompareSessions(t, got, old)
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp*"))
	if len(left) != 1 {
		t.Fatalf("temporary files %q, want the killed save's one", left)
	}
	if _, err := labfile.Load(left[0]); !errors.Is(err, labfile.ErrDamaged) {
		t.Errorf("Load of the half-written file = %v, want ErrDamaged", err)
	} else {
		t.Logf("the half file: %v", err)
	}
}

// TestSaveRemovesStaleTemps: a later save clears what a killed one left beside
// the file, but not a temporary file young enough to be a save under way.
func TestSaveRemovesStaleTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lab[1].protolab")
	stale := filepath.Join(dir, ".lab[1].protolab.tmp123")
	fresh := filepath.Join(dir, ".lab[1].protolab.tmp456")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("half a session"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(stale, old, old)
	if err := labfile.Save(path, labfile.SyntheticSession(10)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale temporary file is still there (%v)", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a young temporary file was removed: %v", err)
	}
	if _, err := labfile.Load(path); err != nil {
		t.Errorf("Load after the save: %v", err)
	}
}
