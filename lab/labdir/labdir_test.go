package labdir_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab/labdir"
)

var folderTests = []struct {
	config, data         string // the environment
	wantConfig, wantData string // "" for the default: protolab in the user's configuration folder
}{
	{"/tmp/lab-config", "/tmp/lab-data", "/tmp/lab-config", "/tmp/lab-data"},
	{"/tmp/lab-config", "", "/tmp/lab-config", "/tmp/lab-config"},
	{"", "/tmp/lab-data", "", "/tmp/lab-data"},
	{"", "", "", ""},
}

func TestFolders(t *testing.T) {
	for _, tt := range folderTests {
		t.Setenv(labdir.EnvConfig, tt.config)
		t.Setenv(labdir.EnvData, tt.data)
		check := func(what string, f func() (string, error), want string) {
			t.Helper()
			got, err := f()
			if want == "" {
				if err == nil && filepath.Base(got) != "protolab" {
					t.Errorf("%s with %q, %q = %q, want a folder called protolab", what, tt.config, tt.data, got)
				}
				return
			}
			if err != nil || got != want {
				t.Errorf("%s with %q, %q = %q, %v; want %q", what, tt.config, tt.data, got, err, want)
			}
		}
		check("Config", labdir.Config, tt.wantConfig)
		check("CA", labdir.CA, tt.wantConfig)
		check("Data", labdir.Data, tt.wantData)
	}
	t.Setenv(labdir.EnvConfig, "/tmp/lab-config")
	if got, err := labdir.Recovery(); err != nil || got != filepath.Join("/tmp/lab-config", "recovery.protolab") {
		t.Errorf("Recovery = %q, %v", got, err)
	}
}

// temps returns the temporary files left in dir.
func temps(t *testing.T, dir string) []string {
	t.Helper()
	left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
	return left
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "key.pem")
	for _, data := range []string{"first", "second, longer"} {
		if err := labdir.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != data {
			t.Errorf("after WriteFile(%q) the file holds %q, %v", data, got, err)
		}
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	if left := temps(t, dir); len(left) > 0 {
		t.Errorf("WriteFile left temporary files: %q", left)
	}
	if err := labdir.WriteFile(filepath.Join(dir, "nowhere", "x"), nil, 0o644); err == nil {
		t.Error("WriteFile into a missing folder succeeded")
	}
}

func TestWriteFails(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "export.pcapng")
	if err := labdir.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := errors.New("the export failed half-way")
	err := labdir.Write(path, 0o644, func(w io.Writer) error {
		io.WriteString(w, "half of the new")
		return bad
	})
	if err != bad {
		t.Errorf("Write = %v, want the writer's own error", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("after a failed Write the file holds %q, want the old one", got)
	}
	if left := temps(t, dir); len(left) > 0 {
		t.Errorf("a failed Write left temporary files: %q", left)
	}
	if err := labdir.Write(path, 0o644, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "new" {
		t.Errorf("after Write the file holds %q, want new", got)
	}
}

func TestAbort(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "session.protolab")
	f, err := labdir.Create(path, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("never seen")
	f.Abort()
	if err := f.Commit(); err == nil {
		t.Error("Commit after Abort succeeded")
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an aborted file is at its path: %v", err)
	}
	if left := temps(t, dir); len(left) > 0 {
		t.Errorf("Abort left temporary files: %q", left)
	}
}

func TestRemoveStaleTemps(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lab[1].protolab") // a name with a glob character
	old := filepath.Join(dir, ".lab[1].protolab.tmp123")
	young := filepath.Join(dir, ".lab[1].protolab.tmp456")
	other := filepath.Join(dir, ".other.protolab.tmp789")
	for _, p := range []string{old, young, other} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	hourAgo := time.Now().Add(-time.Hour)
	os.Chtimes(old, hourAgo, hourAgo)
	os.Chtimes(other, hourAgo, hourAgo)
	labdir.RemoveStaleTemps(path, time.Minute)
	for p, want := range map[string]bool{old: false, young: true, other: true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s: present %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}
