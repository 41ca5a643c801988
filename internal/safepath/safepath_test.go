package safepath_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/protocollab/protolab/internal/safepath"
)

// nameTests are names as one element: each Windows form with the rule that
// refuses it, and ordinary names that pass (rule 0).
var nameTests = []struct {
	name string
	rule safepath.Rule
}{
	// Backslashes as separators.
	{`a\..\..\x`, safepath.Backslash},
	{`..\secret.txt`, safepath.Backslash},
	{`pub\hello.txt`, safepath.Backslash},
	{`x\`, safepath.Backslash},
	{"a/b", safepath.Slash},
	{"../x", safepath.Slash},
	// Drive letters.
	{`C:\x`, safepath.DriveLetter},
	{`C:x`, safepath.DriveLetter},
	{`c:/x`, safepath.DriveLetter},
	{`z:`, safepath.DriveLetter},
	// UNC and device paths.
	{`\\host\share`, safepath.UNCPath},
	{`\\host\share\file.txt`, safepath.UNCPath},
	{`\\?\C:\`, safepath.DevicePath},
	{`\\.\COM1`, safepath.DevicePath},
	{`\\.\PhysicalDrive0`, safepath.DevicePath},
	{`\??\C:\x`, safepath.DevicePath},
	// Reserved device names, with or without an extension, in any case.
	{"CON", safepath.ReservedName},
	{"con", safepath.ReservedName},
	{"PRN", safepath.ReservedName},
	{"aux", safepath.ReservedName},
	{"Nul", safepath.ReservedName},
	{"NUL.txt", safepath.ReservedName},
	{"nul.tar.gz", safepath.ReservedName},
	{"CON .txt", safepath.ReservedName},
	{"CONIN$", safepath.ReservedName},
	{"conout$", safepath.ReservedName},
	{"COM1", safepath.ReservedName},
	{"com9.log", safepath.ReservedName},
	{"COM0", safepath.ReservedName},
	{"LPT1", safepath.ReservedName},
	{"lpt9.txt", safepath.ReservedName},
	{"COM¹", safepath.ReservedName},
	{"COM²", safepath.ReservedName},
	{"com³.txt", safepath.ReservedName},
	{"LPT¹", safepath.ReservedName},
	// Alternate data streams.
	{"file.txt::$DATA", safepath.Stream},
	{"file.txt:stream", safepath.Stream},
	{"file.txt:stream:$DATA", safepath.Stream},
	{":x", safepath.Stream},
	{"notes:", safepath.Stream},
	// Trailing dots and spaces.
	{"secret.txt.", safepath.TrailingDot},
	{"secret.txt ", safepath.TrailingDot},
	{"secret.txt. . ", safepath.TrailingDot},
	{"...", safepath.TrailingDot},
	{"CON.", safepath.TrailingDot},
	// Control characters and < > " | ? *.
	{"a\x00b", safepath.Control},
	{"a\tb", safepath.Control},
	{"line\r\n", safepath.Control},
	{"\x1f", safepath.Control},
	{"a<b", safepath.ReservedChar},
	{"a>b", safepath.ReservedChar},
	{`say "hi"`, safepath.ReservedChar},
	{"a|b", safepath.ReservedChar},
	{"what?", safepath.ReservedChar},
	{"*.txt", safepath.ReservedChar},
	// Not names at all.
	{"", safepath.Empty},
	{".", safepath.DotName},
	{"..", safepath.DotName},
	// Ordinary names pass.
	{"report.v2.txt", 0},
	{"a b.txt", 0},
	{"con-notes.txt", 0},
	{"CONSOLE", 0},
	{"console.log", 0},
	{"icon", 0},
	{"nul-data", 0},
	{"prn_", 0},
	{"COM10", 0},
	{"LPT10.txt", 0},
	{"COM", 0},
	{"COMA", 0},
	{"COM⁴", 0},
	{".hidden", 0},
	{".protolab-upload-abc", 0},
	{"..x", 0},
	{"a.b.c", 0},
	{" leading space", 0},
	{"データ.txt", 0},
	{"Ünïcödé ñame", 0},
	{"файл", 0},
	{"emoji 🎉.png", 0},
	{"100%.txt", 0},
	{"a+b=c&d#e;f'g", 0},
	{"[x]{y}(z)", 0},
	{"\x7f", 0},
}

func TestName(t *testing.T) {
	for _, tt := range nameTests {
		err := safepath.Name(tt.name)
		if tt.rule == 0 {
			if err != nil {
				t.Errorf("Name(%q) = %v, want nil", tt.name, err)
			}
			continue
		}
		var se *safepath.Error
		if !errors.As(err, &se) {
			t.Errorf("Name(%q) = %v, want an *Error (%s)", tt.name, err, tt.rule)
			continue
		}
		if se.Rule != tt.rule || se.Name != tt.name {
			t.Errorf("Name(%q) = %s (%q), want %s", tt.name, se.Rule, se.Name, tt.rule)
		}
		if !errors.Is(err, safepath.ErrUnsafe) {
			t.Errorf("Name(%q) = %v, which is not ErrUnsafe", tt.name, err)
		}
		if msg := err.Error(); !strings.Contains(msg, tt.rule.String()) {
			t.Errorf("Name(%q).Error() = %q, want the rule's words in it", tt.name, msg)
		}
	}
}

// pathTests are paths as protocols carry them.
var pathTests = []struct {
	path string
	rule safepath.Rule
	elem string // the part refused
}{
	{`/pub/a\..\..\x`, safepath.Backslash, `a\..\..\x`},
	{`a\..\..\x`, safepath.Backslash, `a\..\..\x`},
	{`C:\x`, safepath.DriveLetter, `C:\x`},
	{`C:x`, safepath.DriveLetter, `C:x`},
	{`c:/x`, safepath.DriveLetter, `c:/x`},
	{`/C:/Windows`, safepath.DriveLetter, `C:`},
	{`\\host\share`, safepath.UNCPath, `\\host\share`},
	{`\\?\C:\`, safepath.DevicePath, `\\?\C:\`},
	{`\\.\COM1`, safepath.DevicePath, `\\.\COM1`},
	{`//./COM1`, safepath.ReservedName, `COM1`},
	{`//?/C:/x`, safepath.ReservedChar, `?`},
	{`/pub/CON`, safepath.ReservedName, `CON`},
	{`pub/nul.txt/x`, safepath.ReservedName, `nul.txt`},
	{`/pub/file.txt::$DATA`, safepath.Stream, `file.txt::$DATA`},
	{`secret.txt.`, safepath.TrailingDot, `secret.txt.`},
	{`/pub./x`, safepath.TrailingDot, `pub.`},
	{`a/b /c`, safepath.TrailingDot, `b `},
	{"a/\x01/b", safepath.Control, "\x01"},
	{`/a|b`, safepath.ReservedChar, `a|b`},
	// Ordinary paths pass; ".", ".." and empty elements are the caller's.
	{`/`, 0, ``},
	{``, 0, ``},
	{`/pub/hello.txt`, 0, ``},
	{`pub//hello.txt`, 0, ``},
	{`../../etc/passwd`, 0, ``},
	{`./report.v2.txt`, 0, ``},
	{`/a b/con-notes.txt`, 0, ``},
	{`/COM10/.hidden`, 0, ``},
	{`//host/share`, 0, ``},
}

func TestPath(t *testing.T) {
	for _, tt := range pathTests {
		err := safepath.Path(tt.path)
		if tt.rule == 0 {
			if err != nil {
				t.Errorf("Path(%q) = %v, want nil", tt.path, err)
			}
			continue
		}
		var se *safepath.Error
		if !errors.As(err, &se) || se.Rule != tt.rule || se.Name != tt.elem {
			t.Errorf("Path(%q) = %v, want %q refused: %s", tt.path, err, tt.elem, tt.rule)
		}
	}
}

func TestFix(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"report.v2.txt", "report.v2.txt"},
		{"CON", "_CON"},
		{"nul.txt", "_nul.txt"},
		{"secret.txt. ", "secret.txt"},
		{`a\..\..\x`, "a_.._.._x"},
		{`C:\x`, "C__x"},
		{"file.txt::$DATA", "file.txt__$DATA"},
		{"../../.bashrc", ".._.._.bashrc"},
		{"what?.txt", "what_.txt"},
		{"", "_"},
		{"..", "_"},
		{"COM1.", "_COM1"},
	} {
		if got := safepath.Fix(tt.in); got != tt.want {
			t.Errorf("Fix(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range nameTests {
		if got := safepath.Fix(tt.name); safepath.Name(got) != nil {
			t.Errorf("Fix(%q) = %q, which Name refuses: %v", tt.name, got, safepath.Name(got))
		}
	}
}

func TestRuleString(t *testing.T) {
	for r := safepath.Empty; r <= safepath.ReservedName; r++ {
		if s := r.String(); s == "" || strings.HasPrefix(s, "safepath.Rule") {
			t.Errorf("Rule %d has no words: %q", int(r), s)
		}
	}
	if s := safepath.Rule(99).String(); s != "safepath.Rule(99)" {
		t.Errorf("Rule(99) = %q", s)
	}
}
