package framing

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"testing"
)

// cut feeds in to a Length in chunks of size bytes and returns the frames, the
// bytes held at the end, and what an error left with the error. It panics if the
// Length holds more than a frame of max bytes and a chunk.
func cut(in []byte, chunk int, s Size, max int) (frames []string, held []byte, rest []byte, err error) {
	var l Length
	for d := in; len(d) > 0; {
		k := min(chunk, len(d))
		r, e := l.Feed(bytes.Clone(d[:k]), s, func(p []byte) bool {
			frames = append(frames, string(p))
			return false
		})
		d = d[k:]
		if e != nil {
			return frames, nil, append(r, d...), e
		}
		if l.Held() > max+chunk {
			panic(fmt.Sprintf("holds %d bytes", l.Held()))
		}
	}
	return frames, l.Take(), nil, nil
}

// dns is a DNS-over-TCP message: two bytes of length, then the message (RFC 1035 §4.2.2).
func dns(body string) string {
	return string(binary.BigEndian.AppendUint16(nil, uint16(len(body)))) + body
}

// pg is a PostgreSQL message: a type byte, an int32 length that counts itself,
// then the body (PostgreSQL protocol 3, "Message Formats").
func pg(typ byte, body string) string {
	return string(binary.BigEndian.AppendUint32([]byte{typ}, uint32(4+len(body)))) + body
}

// mqtt is an MQTT control packet: the type byte, the remaining length as a
// variable byte integer, then the rest (MQTT 5.0 §2.1).
func mqtt(typ byte, rest string) string {
	b := []byte{typ}
	for n := len(rest); ; {
		c := byte(n & 0x7f)
		if n >>= 7; n > 0 {
			c |= 0x80
		}
		b = append(b, c)
		if n == 0 {
			break
		}
	}
	return string(b) + rest
}

var lengthTests = []struct {
	name   string
	size   Size
	max    int
	frames []string
}{
	{"DNS over TCP", BigEndian(0, 2, 0, 2+0xffff), 2 + 0xffff,
		[]string{dns("query"), dns(""), dns(string(bytes.Repeat([]byte("a"), 300)))}},
	{"PostgreSQL", BigEndian(1, 4, -4, 1<<20), 1 << 20,
		[]string{pg('Q', "SELECT 1\x00"), pg('S', ""), pg('D', string(bytes.Repeat([]byte("r"), 1000)))}},
	{"MQTT", VariableLength(1, 1+4+268435455), 1 + 4 + 268435455,
		[]string{mqtt(0x10, "\x00\x04MQTT\x05\x02\x00\x3c\x00"), mqtt(0xc0, ""), mqtt(0x30, string(bytes.Repeat([]byte("p"), 200))),
			mqtt(0x30, string(bytes.Repeat([]byte("q"), 20000)))}},
}

func TestLength(t *testing.T) {
	for _, tt := range lengthTests {
		in := []byte(tt.frames[0] + tt.frames[1] + tt.frames[2])
		for _, f := range tt.frames[3:] {
			in = append(in, f...)
		}
		for _, chunk := range []int{1, 2, 3, 7, len(in)} {
			got, held, _, err := cut(append(in, tt.frames[0][:3]...), chunk, tt.size, tt.max)
			if err != nil || !slices.Equal(got, tt.frames) {
				t.Errorf("%s, chunks of %d: frames %q, error %v; want %q", tt.name, chunk, got, err, tt.frames)
			}
			if string(held) != tt.frames[0][:3] {
				t.Errorf("%s, chunks of %d: held %q, want the start of a frame %q", tt.name, chunk, held, tt.frames[0][:3])
			}
		}
	}
}

func TestMQTTRemainingLength(t *testing.T) {
	// The four sizes of the variable byte integer (MQTT 5.0 §1.5.5).
	for _, tt := range []struct {
		header string
		n      int
	}{
		{"\x30\x00", 2},
		{"\x30\x7f", 2 + 127},
		{"\x30\x80\x01", 3 + 128},
		{"\x30\xff\x7f", 3 + 16383},
		{"\x30\x80\x80\x01", 4 + 16384},
		{"\x30\xff\xff\xff\x7f", 5 + 268435455},
		{"\x30\x80\x80", 0}, // more to come
	} {
		n, err := VariableLength(1, 1<<30)([]byte(tt.header))
		if n != tt.n || err != nil {
			t.Errorf("% x: %d, %v; want %d", tt.header, n, err, tt.n)
		}
	}
	if _, err := VariableLength(1, 1<<30)([]byte("\x30\xff\xff\xff\xff\x01")); !errors.Is(err, ErrBadLength) {
		t.Errorf("a 5-byte remaining length: %v, want ErrBadLength", err)
	}
}

var badLengthTests = []struct {
	name string
	size Size
	in   string
	want error
}{
	{"PostgreSQL length below its own 4 bytes", BigEndian(1, 4, -4, 1<<20), pg('Q', "ok") + "Q\x00\x00\x00\x03rest", ErrBadLength},
	{"PostgreSQL message too long", BigEndian(1, 4, -4, 1<<20), pg('Q', "ok") + "Q\x00\x20\x00\x00", ErrTooLong},
	{"MQTT packet too long", VariableLength(1, 1000), mqtt(0xc0, "") + mqtt(0x30, string(bytes.Repeat([]byte("p"), 1000))), ErrTooLong},
	{"MQTT length of 5 bytes", VariableLength(1, 1<<30), mqtt(0xc0, "") + "\x30\x80\x80\x80\x80\x01", ErrBadLength},
}

// TestLengthBad checks that Feed stops at the first bad frame and returns it,
// with what follows, however the bytes arrive.
func TestLengthBad(t *testing.T) {
	for _, tt := range badLengthTests {
		for _, chunk := range []int{1, 3, len(tt.in)} {
			got, _, rest, err := cut([]byte(tt.in), chunk, tt.size, 1<<20)
			if len(got) != 1 || !errors.Is(err, tt.want) {
				t.Errorf("%s, chunks of %d: %d frames, error %v; want 1 frame and %v", tt.name, chunk, len(got), err, tt.want)
			}
			if want := tt.in[len(got[0]):]; string(rest) != want {
				t.Errorf("%s, chunks of %d: rest %q, want %q", tt.name, chunk, rest, want)
			}
		}
	}
}

func TestLengthStop(t *testing.T) {
	var l Length
	in := dns("a") + dns("bb") + "after"
	var got []string
	rest, err := l.Feed([]byte(in), BigEndian(0, 2, 0, 1<<16), func(p []byte) bool {
		got = append(got, string(p))
		return len(got) == 2
	})
	if err != nil || string(rest) != "after" || len(got) != 2 || l.Held() != 0 {
		t.Errorf("Feed = %q, %v after %q; want the bytes after the second frame", rest, err, got)
	}
}

func TestLengthDoesNotWritePastB(t *testing.T) {
	var l Length
	b := []byte("\x00\x05abcxyz")
	s := BigEndian(0, 2, 0, 1<<16)
	l.Feed(b[:5:8], s, func([]byte) bool { return false })
	l.Feed([]byte("!"), s, func([]byte) bool { return false })
	if string(b) != "\x00\x05abcxyz" {
		t.Errorf("b = %q after Feed, want it untouched", b)
	}
}

// FuzzLength checks, for each shape, that the frames and the held bytes put
// together again are the input up to any bad frame, that no frame is larger
// than the bound, and that the bytes held stay bounded (cut panics otherwise).
func FuzzLength(f *testing.F) {
	for _, tt := range lengthTests {
		f.Add([]byte(tt.frames[0]+tt.frames[1]+tt.frames[2]), uint8(3))
	}
	f.Add([]byte("\x30\xff\xff\xff\xff\x01"), uint8(1))
	f.Fuzz(func(t *testing.T, in []byte, chunk uint8) {
		for _, s := range []struct {
			size Size
			max  int
		}{
			{BigEndian(0, 2, 0, 2+0xffff), 2 + 0xffff},
			{BigEndian(1, 4, -4, 4096), 4096},
			{VariableLength(1, 4096), 4096},
		} {
			got, held, rest, err := cut(in, int(chunk)%17+1, s.size, s.max)
			var all []byte
			for _, p := range got {
				if len(p) > s.max {
					t.Fatalf("a frame of %d bytes, bound %d", len(p), s.max)
				}
				all = append(all, p...)
			}
			all = append(append(all, held...), rest...)
			if !bytes.Equal(all, in) || (err == nil) != (rest == nil) {
				t.Fatalf("frames %q, held %q, rest %q (error %v) do not make the input %q", got, held, rest, err, in)
			}
		}
	})
}
