package framing

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
)

// split feeds in to a Lines in chunks of size bytes, framing whole lines of up
// to max bytes (as the protocols' parsers refuse longer ones), and returns the
// lines, the overlong starts and what followed a line "STOP".
func split(in []byte, size, max int) (got []string, long []string, rest []byte) {
	var h Lines
	line := func(data []byte) (int, Then) {
		i := bytes.IndexByte(data, '\n')
		if i < 0 || i+1 > max {
			return 0, Go
		}
		got = append(got, string(data[:i+1]))
		if string(data[:i+1]) == "STOP\r\n" {
			return i + 1, Stop
		}
		return i + 1, Go
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

func TestLines(t *testing.T) {
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
	var h Lines
	b := []byte("abc\r\nxyz")
	h.Feed(b[:5:8], 64, func(data []byte) (int, Then) { return 0, Go })
	h.Feed([]byte("!"), 64, func(data []byte) (int, Then) { return 0, Go })
	if string(b) != "abc\r\nxyz" {
		t.Errorf("b = %q after Feed, want it untouched", b)
	}
}

// FuzzLines checks that no line longer than the bound is framed, and that the
// bytes held stay bounded (split panics otherwise). An overlong line drops the
// rest of its chunk, so the lines depend on the chunking.
func FuzzLines(f *testing.F) {
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

// TestLinesSkip checks that a frame function's Skip drops the bytes it was
// given and the rest of their line, however the line is split.
func TestLinesSkip(t *testing.T) {
	var h Lines
	var got []string
	frame := func(data []byte) (int, Then) {
		if bytes.HasPrefix(data, []byte("BAD")) {
			return 0, Skip
		}
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return 0, Go
		}
		got = append(got, string(data[:i+1]))
		return i + 1, Go
	}
	for _, chunk := range []string{"a\r\nBAD par", "t of it\r\nb", "\r\n"} {
		if rest, long := h.Feed([]byte(chunk), 64, frame); rest != nil || long != nil {
			t.Fatalf("Feed(%q) = %q, %q; want nothing returned", chunk, rest, long)
		}
	}
	if want := []string{"a\r\n", "b\r\n"}; !slices.Equal(got, want) {
		t.Errorf("lines = %q, want %q", got, want)
	}
}

func TestOverlongAndUnended(t *testing.T) {
	if out := Overlong(nil, lab.ClientToServer, nil, 8, "why", "RFC"); out != nil {
		t.Errorf("Overlong of nothing = %v, want no message", out)
	}
	out := Overlong(nil, lab.ServerToClient, bytes.Repeat([]byte("x"), 300), 8, "why", "RFC 1 §2")
	if len(out) != 1 || out[0].Summary != "a line longer than 8 bytes" || len(out[0].Raw) != 256 || out[0].Dir != lab.ServerToClient {
		t.Errorf("Overlong = %+v, want one message keeping 256 bytes", out)
	}
	var bufs [3]Lines
	bufs[lab.ServerToClient].Feed([]byte("220 partial"), 64, func([]byte) (int, Then) { return 0, Go })
	out = Unended(out, &bufs, "lines end with CRLF", "RFC 5321 §2.3.8")
	if len(out) != 2 || out[1].Summary != "11 bytes without a line ending" || string(out[1].Raw) != "220 partial" {
		t.Errorf("Unended = %+v, want a second message with the 11 held bytes", out)
	}
	if bufs[lab.ServerToClient].Held() != 0 || len(Unended(nil, &bufs, "", "")) != 0 {
		t.Error("Unended left bytes held")
	}
}
