package ui

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"

	"github.com/protocollab/protolab/internal/safepath"
)

// answer is a save dialog's answer: the file it made at path, open.
type answer struct {
	*os.File
	uri fyne.URI
}

func (a answer) URI() fyne.URI { return a.uri }

func newAnswer(t *testing.T, path string) answer {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	return answer{File: f, uri: storage.NewFileURI(path)}
}

// proposed records the name a dialog proposes.
type proposed struct{ name string }

func (p *proposed) SetFileName(name string) { p.name = name }

// TestSaveNames: a save dialog proposes a name every system holds, whatever
// the remote file or attachment was called, and an answer Windows could not
// hold is refused with the rule, leaving no empty file behind; a file that was
// there, with content, is kept.
func TestSaveNames(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"report.v2.txt", "report.v2.txt"},
		{"CON", "_CON"},
		{`..\..\evil.txt`, ".._.._evil.txt"},
		{"../../.bashrc", ".._.._.bashrc"},
		{"file.txt::$DATA", "file.txt__$DATA"},
		{"secret.txt. ", "secret.txt"},
	} {
		var p proposed
		proposeName(&p, tt.in)
		if p.name != tt.want {
			t.Errorf("proposeName(%q) = %q, want %q", tt.in, p.name, tt.want)
		}
	}

	dir := t.TempDir()
	for _, name := range []string{"CON.protolab", "nul.pcapng", "lab.har.", "lab.har ", "a:b.eml", `a\b.eml`, "what?.pem", "COM¹"} {
		if runtime.GOOS == "windows" {
			break // Windows itself cannot make these files
		}
		path := filepath.Join(dir, name)
		got, err := chosenPath(newAnswer(t, path))
		if got != "" || !errors.Is(err, safepath.ErrUnsafe) {
			t.Errorf("chosenPath(%q) = %q, %v; want it refused", name, got, err)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("%q: the empty file the dialog made is still there (%v)", name, err)
		}
	}
	if runtime.GOOS == "windows" {
		return
	}
	kept := filepath.Join(dir, "aux.txt")
	a := newAnswer(t, kept)
	a.WriteString("there before")
	if err := refuseChosen(a); !errors.Is(err, safepath.ErrUnsafe) {
		t.Errorf("refuseChosen(aux.txt) = %v, want it refused", err)
	}
	if b, _ := os.ReadFile(kept); string(b) != "there before" {
		t.Errorf("aux.txt = %q, want it kept", b)
	}
	for _, name := range []string{"lab.protolab", "a b.pcapng", "con-notes.eml", "COM10.pem", ".hidden", "データ.har"} {
		path := filepath.Join(dir, name)
		if got, err := chosenPath(newAnswer(t, path)); got != path || err != nil {
			t.Errorf("chosenPath(%q) = %q, %v; want %q", name, got, err, path)
		}
	}
}
