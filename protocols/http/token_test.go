package http

import (
	"strings"
	"testing"
)

// TestTokenAndTrim: token's table and trimBlanks say what RFC 9110's
// definition and strings.Trim say, for every byte and for blanks around
// values.
func TestTokenAndTrim(t *testing.T) {
	for c := range 256 {
		want := c > ' ' && c < 0x7f && !strings.ContainsRune("\"(),/:;<=>?@[\\]{}", rune(c))
		if got := token(string([]byte{'a', byte(c)})); got != want {
			t.Errorf("token(%q) = %v, want %v", []byte{'a', byte(c)}, got, want)
		}
	}
	for _, s := range []string{"", " ", "\t \t", " a", "a ", " \ta b\t ", "a\t\tb", "\t", "x"} {
		if got, want := trimBlanks(s), strings.Trim(s, " \t"); got != want {
			t.Errorf("trimBlanks(%q) = %q, want %q", s, got, want)
		}
	}
	for _, h := range []string{"a\n\n", "a\r\n\r\nb", "a\nb\n", "", "\n", "x\r\n\ny", "abc\nd\r\n\r\n"} {
		want := -1
		for i := 0; i < len(h); i++ {
			if h[i] == '\n' && (strings.HasPrefix(h[i+1:], "\n") || strings.HasPrefix(h[i+1:], "\r\n")) {
				want = i + 2
				if h[i+1] == '\r' {
					want = i + 3
				}
				break
			}
		}
		if got := headEnd([]byte(h), 0); got != want {
			t.Errorf("headEnd(%q) = %d, want %d", h, got, want)
		}
	}
}
