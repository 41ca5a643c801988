package labdirtest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/lab/labdir"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
)

func TestMain(m *testing.M) { os.Exit(labdirtest.Main(m)) }

// TestMainFolders: under Main, a test that sets nothing finds every folder
// variable pointing into one temporary folder.
func TestMainFolders(t *testing.T) {
	for _, v := range []string{labdir.EnvConfig, labdir.EnvData, "XDG_CONFIG_HOME", "XDG_DATA_HOME"} {
		if d := os.Getenv(v); !under(d, os.TempDir()) || !strings.Contains(d, "protolab-test-") {
			t.Errorf("$%s = %q, want a folder of Main's under %s", v, d, os.TempDir())
		}
	}
}

// under reports whether path is inside dir.
func under(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// files lists what is in dir and below it.
func files(t *testing.T, dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if p != dir {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// TestTemp: both lab folders, and the user's folders, are fresh temporary
// folders; the CA, a data file and a user configuration file written through
// them leave the person's home untouched.
func TestTemp(t *testing.T) {
	home := labdirtest.PersonHome(t)
	d := labdirtest.Temp(t)
	for name, dir := range map[string]string{"Config": d.Config, "Data": d.Data, "User": d.User} {
		if !under(dir, os.TempDir()) {
			t.Errorf("%s = %s, not under %s", name, dir, os.TempDir())
		}
		if under(dir, home) {
			t.Errorf("%s = %s, inside the home %s", name, dir, home)
		}
	}
	if d.Config == d.Data {
		t.Errorf("Config and Data are both %s, want two folders", d.Config)
	}
	config, err := labdir.Config()
	if err != nil || config != d.Config {
		t.Errorf("labdir.Config() = %q, %v; want %q", config, err, d.Config)
	}
	data, err := labdir.Data()
	if err != nil || data != d.Data {
		t.Errorf("labdir.Data() = %q, %v; want %q", data, err, d.Data)
	}
	user, err := os.UserConfigDir()
	if err != nil || !under(user, d.User) {
		t.Errorf("os.UserConfigDir() = %q, %v; want it under %s", user, err, d.User)
	}

	caDir, _ := labdir.CA()
	if _, err := labca.Open(caDir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(data, "mail"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := labdir.WriteFile(filepath.Join(data, "mail", "note"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(user, "fyne"), 0o700); err != nil {
		t.Fatal(err)
	}
	if got := files(t, home); len(got) != 0 {
		t.Errorf("the home holds %v after the test wrote through the lab's folders", got)
	}
	if got := files(t, d.Config); len(got) == 0 {
		t.Errorf("the CA was not written into %s", d.Config)
	}
}

// TestShared: one temporary folder for both, still outside the home.
func TestShared(t *testing.T) {
	home := labdirtest.PersonHome(t)
	dir := labdirtest.Shared(t)
	config, _ := labdir.Config()
	data, _ := labdir.Data()
	if config != dir || data != dir || !under(dir, os.TempDir()) || under(dir, home) {
		t.Errorf("Shared = %s; labdir.Config() = %s, labdir.Data() = %s", dir, config, data)
	}
}
