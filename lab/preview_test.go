package lab

import (
	"math/rand/v2"
	"strconv"
	"strings"
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

// TestPreviewQuotesASCII: Preview's byte-at-a-time quoting of ASCII writes
// what strconv.Quote writes, for every ASCII byte alone and in random text.
func TestPreviewQuotesASCII(t *testing.T) {
	var cases []string
	for c := range 0x80 {
		cases = append(cases, string(rune(c)), "a"+string(rune(c))+"\n")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := make([]byte, rng.IntN(70))
		for i := range b {
			b[i] = byte(rng.IntN(0x80))
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		want := strconv.Quote(s)
		if got := string(appendQuoteASCII(nil, []byte(s))); got != want {
			t.Fatalf("appendQuoteASCII(%q) = %s, want %s", s, got, want)
		}
		if got, want := Preview([]byte(s), 60), strconv.Quote(s[:min(len(s), 60)]); !strings.HasPrefix(got, want) {
			t.Fatalf("Preview(%q) = %s, want %s…", s, got, want)
		}
	}
	if got, want := HexPreview([]byte{0, 0xab, 0xff}, 2), "00 ab …"; got != want {
		t.Errorf("HexPreview = %q, want %q", got, want)
	}
}
