package lines

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// split feeds in to a Buffer in chunks of size bytes, framing whole lines of up
// to max bytes (as the protocols' parsers refuse longer ones), and returns the
// lines, the overlong starts and what followed a line "STOP".
func split(in []byte, size, max int) (got []string, long []string, rest []byte) {
	var h Buffer
	line := func(data []byte) (int, bool) {
		i := bytes.IndexByte(data, '\n')
		if i < 0 || i+1 > max {
			return 0, false
		}
		got = append(got, string(data[:i+1]))
		return i + 1, string(data[:i+1]) == "STOP\r\n"
	}
	for d := in; len(d) > 0 && rest == nil; {
		k := min(size, len(d))
		r, l := h.Feed(bytes.Clone(d[:k]), max, line)
		d = d[k:]
		if l != nil {
			long = append(long, string(l))
		}
		if len(r) > 0 || (r != nil && len(d) > 0) {
			rest = append(r, d...)
		}
		if h.Held() > max+size {
			panic(fmt.Sprintf("holds %d bytes", h.Held()))
		}
	}
	if t := h.Take(); len(t) > 0 {
		got = append(got, "unended "+string(t))
	}
	return got, long, rest
}

func TestBuffer(t *testing.T) {
	in := []byte("a\r\nbb\r\n" + strings.Repeat("x", 20) + "\r\nc\r\nSTOP\r\ntls bytes")
	for _, size := range []int{1, 2, 5, 8} {
		got, long, rest := split(in, size, 8)
		if want := []string{"a\r\n", "bb\r\n", "c\r\n", "STOP\r\n"}; !slices.Equal(got, want) {
			t.Errorf("size %d: lines = %q, want %q", size, got, want)
		}
		if len(long) != 1 || !strings.HasPrefix(long[0], "xxxxxxxxx") {
			t.Errorf("size %d: overlong = %q, want one run of x", size, long)
		}
		if string(rest) != "tls bytes" {
			t.Errorf("size %d: rest = %q, want %q", size, rest, "tls bytes")
		}
	}
	if got, _, _ := split([]byte("a\r\npart"), 3, 8); !slices.Equal(got, []string{"a\r\n", "unended part"}) {
		t.Errorf("lines = %q, want the unended part last", got)
	}
}

func TestFeedDoesNotWritePastB(t *testing.T) {
	var h Buffer
	b := []byte("abc\r\nxyz")
	h.Feed(b[:5:8], 64, func(data []byte) (int, bool) { return 0, false })
	h.Feed([]byte("!"), 64, func(data []byte) (int, bool) { return 0, false })
	if string(b) != "abc\r\nxyz" {
		t.Errorf("b = %q after Feed, want it untouched", b)
	}
}

// FuzzBuffer checks that no line longer than the bound is framed, and that the
// bytes held stay bounded (split panics otherwise). An overlong line drops the
// rest of its chunk, so the lines depend on the chunking.
func FuzzBuffer(f *testing.F) {
	f.Add([]byte("a\r\nbb\r\nxxxxxxxxxxxxxxxxxxxx\r\nc\r\nSTOP\r\ntls"), uint8(3))
	f.Add([]byte("\n\n\r\n"), uint8(1))
	f.Fuzz(func(t *testing.T, in []byte, size uint8) {
		got, _, _ := split(in, int(size)%17+1, 16)
		for _, l := range got {
			if len(l) > 16 && !strings.HasPrefix(l, "unended ") {
				t.Fatalf("framed a %d-byte line %q, bound 16", len(l), l)
			}
		}
	})
}
