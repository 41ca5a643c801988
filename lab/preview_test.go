package lab

import (
	"strconv"
	"testing"
)

// TestPreviewQuotes: Preview writes what strconv.Quote writes of the bytes it
// keeps, whether they take its plain-ASCII path or not.
func TestPreviewQuotes(t *testing.T) {
	for _, s := range []string{"", "21.5", "hello world", `say "hi"`, `a\b`, "tab\there", "é", "\x00\x7f\xff", "~ !", "lab/sensors/t1"} {
		for _, max := range []int{0, 1, 3, 40} {
			b := []byte(s)
			want := strconv.Quote(string(b[:min(len(b), max)]))
			if len(b) > max {
				want += "…"
			}
			if got := Preview(b, max); got != want {
				t.Errorf("Preview(%q, %d) = %s, want %s", s, max, got, want)
			}
		}
	}
}
