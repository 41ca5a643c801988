// Package labdirtest keeps a test's lab folders inside the test's temporary
// folders, so that no test reads or writes a person's CA, mail or files.
package labdirtest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/protocollab/protolab/lab/labdir"
)

// Dirs are the folders Temp chose.
type Dirs struct {
	Config string // the lab's configuration folder (labdir.EnvConfig)
	Data   string // the lab's data folder (labdir.EnvData): FTP root, mail
	// User is the user's configuration folder and data folder stand-in
	// (XDG_CONFIG_HOME is User/config, XDG_DATA_HOME User/data), for code that
	// asks os.UserConfigDir instead of labdir.
	User string
}

// Temp points both of the lab's folders, the configuration folder and the data
// folder, at new temporary folders of t, and XDG_CONFIG_HOME and XDG_DATA_HOME
// at a third, until t ends. Setting both lab folders matters: the data folder
// follows the configuration folder only when its own variable is unset, and a
// person's environment may set it. Temp uses t.Setenv, so a test that calls it
// cannot be parallel.
func Temp(t testing.TB) Dirs {
	t.Helper()
	d := Dirs{Config: t.TempDir(), Data: t.TempDir(), User: t.TempDir()}
	t.Setenv(labdir.EnvConfig, d.Config)
	t.Setenv(labdir.EnvData, d.Data)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(d.User, "config"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(d.User, "data"))
	return d
}

// Shared is Temp with one folder for both the configuration and the data, for
// tests that look for the CA and the mail in the same place.
func Shared(t testing.TB) string {
	t.Helper()
	d := Temp(t)
	t.Setenv(labdir.EnvData, d.Config)
	return d.Config
}

// Main runs a package's tests (m.Run) with both of the lab's folders, and
// XDG_CONFIG_HOME and XDG_DATA_HOME, in a temporary folder removed afterwards,
// whatever the environment said: a test that forgets Temp still stays out of
// the person's folders. Call it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(labdirtest.Main(m)) }
func Main(m *testing.M) int {
	dir, err := os.MkdirTemp("", "protolab-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "labdirtest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	for k, v := range map[string]string{
		labdir.EnvConfig:  filepath.Join(dir, "config"),
		labdir.EnvData:    filepath.Join(dir, "data"),
		"XDG_CONFIG_HOME": filepath.Join(dir, "user", "config"),
		"XDG_DATA_HOME":   filepath.Join(dir, "user", "data"),
	} {
		os.Setenv(k, v)
	}
	return m.Run()
}

// PersonHome stands in for a person's home with a lab of their own: HOME, the
// XDG folders and both lab folders all point into a new temporary folder,
// which it returns. A test then calls Temp and checks that what it ran left
// that home empty.
func PersonHome(t testing.TB) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, ".local", "share"))
	t.Setenv(labdir.EnvConfig, filepath.Join(home, ".config", "protolab"))
	t.Setenv(labdir.EnvData, filepath.Join(home, "lab-data"))
	return home
}
