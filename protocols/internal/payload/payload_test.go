package payload

import (
	"strings"
	"testing"
)

var showTests = []struct{ in, show, brief string }{
	{"", "(empty)", "(empty)"},
	{"21.5", `"21.5"`, `"21.5"`},
	{"job\r\n1", `"job\r\n1"`, `"job\r\n1"`},
	{"héllo", `"héllo"`, `"héllo"`},
	{"\x00\x01\xfe\xff", "00 01 fe ff (hex)", "4 bytes"},
	{"a\x1bb", "61 1b 62 (hex)", "3 bytes"},
	{"\xc3", "c3 (hex)", "1 byte"},
	{strings.Repeat("x", 50), `"` + strings.Repeat("x", 50) + `"`, `"` + strings.Repeat("x", 40) + `"…`},
}

func TestShow(t *testing.T) {
	for _, tt := range showTests {
		if got := Show([]byte(tt.in)); got != tt.show {
			t.Errorf("Show(%q) = %q, want %q", tt.in, got, tt.show)
		}
		if got := Brief([]byte(tt.in)); got != tt.brief {
			t.Errorf("Brief(%q) = %q, want %q", tt.in, got, tt.brief)
		}
	}
}
