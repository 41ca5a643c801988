package labfile_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/protocollab/protolab/internal/safepath"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/labfile"
)

// TestSaveRefusesWindowsNames: a session file's name must be one every system
// holds; a refused save says which rule and leaves nothing behind.
func TestSaveRefusesWindowsNames(t *testing.T) {
	s := labfile.Capture(newBench(t), nil)
	dir := t.TempDir()
	for _, tt := range []struct {
		name string
		rule safepath.Rule
	}{
		{"CON.protolab", safepath.ReservedName},
		{"nul", safepath.ReservedName},
		{"com1.protolab", safepath.ReservedName},
		{"LPT9.protolab", safepath.ReservedName},
		{"COM¹.protolab", safepath.ReservedName},
		{"lab.protolab.", safepath.TrailingDot},
		{"lab.protolab ", safepath.TrailingDot},
		{"lab.protolab::$DATA", safepath.Stream},
		{"lab.protolab:stream", safepath.Stream},
		{`a\..\..\lab.protolab`, safepath.Backslash},
		{`C:\lab.protolab`, safepath.DriveLetter},
		{`C:lab.protolab`, safepath.DriveLetter},
		{`\\host\share\lab.protolab`, safepath.UNCPath},
		{`\\?\C:\lab.protolab`, safepath.DevicePath},
		{`\\.\COM1`, safepath.DevicePath},
		{"what?.protolab", safepath.ReservedChar},
		{"a<b>.protolab", safepath.ReservedChar},
		{"a|b.protolab", safepath.ReservedChar},
		{"tab\there.protolab", safepath.Control},
	} {
		if runtime.GOOS == "windows" && strings.ContainsRune(tt.name, '\\') {
			continue // a separator there: the path names another folder
		}
		err := labfile.Save(filepath.Join(dir, tt.name), s)
		var se *safepath.Error
		if !errors.As(err, &se) || se.Rule != tt.rule || !errors.Is(err, safepath.ErrUnsafe) {
			t.Errorf("Save(%q) = %v, want %s", tt.name, err, tt.rule)
			continue
		}
		if !strings.Contains(err.Error(), tt.rule.String()) {
			t.Errorf("Save(%q) = %q, want the rule's words in it", tt.name, err)
		}
	}
	if _, err := labfile.Record(lab.NewHub(lab.HubOptions{}), filepath.Join(dir, "CON.protolab"), 0); !errors.Is(err, safepath.ErrUnsafe) {
		t.Errorf("Record(CON.protolab) = %v, want it refused before recording", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("refused saves left %d files behind: %v", len(entries), entries)
	}
	for _, name := range []string{"report.v2.protolab", "a b.protolab", "con-notes.protolab", "COM10.protolab", ".hidden.protolab", "データ.protolab"} {
		path := filepath.Join(dir, name)
		if err := labfile.Save(path, s); err != nil {
			t.Errorf("Save(%q) = %v", name, err)
		} else if _, err := labfile.Load(path); err != nil {
			t.Errorf("Load(%q) = %v", name, err)
		}
	}
}
