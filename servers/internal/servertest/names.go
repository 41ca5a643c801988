package servertest

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"testing"
)

// WindowsForms are names Windows treats specially, one of each form the file
// servers must refuse on every system (internal/safepath), as a client sends
// them. Control characters are left to each protocol's own test: some refuse
// them before any name is looked at.
var WindowsForms = []string{
	`a\..\..\x`, `..\..\secret.txt`, `pub\hello.txt`,
	`C:\x`, `C:x`, `c:/x`, `/C:/Windows`,
	`\\host\share`, `\\?\C:\x`, `\\.\COM1`,
	"CON", "con.txt", "NUL", "aux.log", "COM1", "lpt9.txt", "COM¹", "pub/PRN",
	"README.txt::$DATA", "README.txt:stream",
	"secret.txt.", "secret.txt ", "pub. /x",
	"a<b", "a>b", `a"b`, "a|b", "what?", "a*b",
}

// OrdinaryNames are names every system holds, which the servers serve as before.
var OrdinaryNames = []string{"report.v2.txt", "a b.txt", "con-notes.txt", "COM10", ".hidden", "データ.txt"}

// Tree lists everything under dir with its mode and a file's size, to compare before
// and after: a test sees that nothing was made, removed or changed.
func Tree(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if fi.Mode().IsRegular() { // a folder's size changes with what came and went
			rel += fmt.Sprintf(" %d", fi.Size())
		}
		out = append(out, fmt.Sprintf("%s %v", rel, fi.Mode()))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// SkipOnWindows skips a test that makes files Windows cannot hold (CON,
// "secret.txt.", "a:b"), as a folder made on Linux holds them.
func SkipOnWindows(t testing.TB) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("makes files whose names Windows cannot hold")
	}
}
