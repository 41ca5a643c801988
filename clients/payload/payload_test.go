package payload_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/protocollab/protolab/clients/payload"
)

var payloadTests = []struct {
	in   string
	hex  bool
	want []byte
	err  string // part of the error, "" for none
}{
	{"Hello\r\n", false, []byte("Hello\r\n"), ""},
	{"48 65 6c 6c 6f", true, []byte("Hello"), ""},
	{"48656c6c6f", true, []byte("Hello"), ""},
	{"0x48,0x65", true, []byte("He"), ""},
	{"0x48, 0X65,0x6C", true, []byte("Hel"), ""},
	{"de:ad:BE:ef", true, []byte{0xde, 0xad, 0xbe, 0xef}, ""},
	{"0x5 0a", true, []byte{0x05, 0x0a}, ""},
	{"  ", true, []byte{}, ""},
	{"48 6g", true, nil, `token 2 "6g": 'g' is not a hex digit`},
	{"486", true, nil, `token 1 "486" has an odd number of digits`},
	{"0x", true, nil, `token 1 "0x" has no digits`},
	{"48 é1", true, nil, `'é' is not a hex digit`},
}

func TestParse(t *testing.T) {
	for _, tt := range payloadTests {
		got, err := payload.Parse(tt.in, tt.hex)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Parse(%q) error = %v, want one containing %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, tt.want) {
			t.Errorf("Parse(%q, %v) = %x, %v; want %x", tt.in, tt.hex, got, err, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, tt := range payloadTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := payload.Parse(s, true)
		if err != nil {
			return
		}
		// Whatever parses is at most half as many bytes as characters, and its
		// plain spelling parses to the same bytes.
		if 2*len(b) > len(s) {
			t.Fatalf("Parse(%q) = %d bytes from %d characters", s, len(b), len(s))
		}
		var sb strings.Builder
		for _, c := range b {
			sb.WriteString(" 0x")
			sb.WriteByte("0123456789abcdef"[c>>4])
			sb.WriteByte("0123456789abcdef"[c&15])
		}
		again, err := payload.Parse(sb.String(), true)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("round trip of %x = %x, %v", b, again, err)
		}
	})
}
