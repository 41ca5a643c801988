package labfile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
	"testing"
)

func written(t testing.TB, s *Session) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, s); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rebuild returns file with its header changed by edit and its checksum made
// right again: a file that lies consistently.
func rebuild(t testing.TB, file []byte, edit func(h map[string]any)) []byte {
	t.Helper()
	hlen := binary.BigEndian.Uint32(file[len(Magic)+4:])
	hdr := file[prefixLen : prefixLen+int(hlen)]
	rest := file[prefixLen+int(hlen) : len(file)-trailerLen]
	var h map[string]any
	if err := json.Unmarshal(hdr, &h); err != nil {
		t.Fatal(err)
	}
	edit(h)
	hdr, _ = json.Marshal(h)
	out := append([]byte(nil), file[:len(Magic)+4]...)
	out = binary.BigEndian.AppendUint32(out, uint32(len(hdr)))
	out = append(out, hdr...)
	out = append(out, rest...)
	trailer := append([]byte(nil), file[len(file)-trailerLen:len(file)-4]...)
	trailer = binary.BigEndian.AppendUint32(trailer, crc32.Checksum(out, castagnoli))
	return append(out, trailer...)
}

func TestReadRefuses(t *testing.T) {
	good := written(t, synthetic(40))
	newer := bytes.Clone(good)
	binary.BigEndian.PutUint32(newer[len(Magic):], FormatVersion+1)
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0x40

	tests := []struct {
		name string
		file []byte
		want error
		text string
	}{
		{"empty", nil, ErrNotSession, "empty"},
		{"text", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), ErrNotSession, `does not begin with "PROTOLAB"`},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), ErrNotSession, "PROTOLAB"},
		{"newer", newer, ErrNewer, fmt.Sprintf("made by a newer Protocol Lab (format %d); this one reads up to %d", FormatVersion+1, FormatVersion)},
		{"flipped byte", flipped, ErrDamaged, "checksum"},
		{"cut in the trailer", good[:len(good)-3], ErrDamaged, "cut short"},
		{"cut in the events", good[:len(good)/2], ErrDamaged, "ends in its events"},
		{"cut in the header", good[:prefixLen+5], ErrDamaged, "ends in its header"},
		{"bytes after the end", append(bytes.Clone(good), 0), ErrDamaged, "after its end"},
		{"10^12 events", rebuild(t, good, func(h map[string]any) { h["events"] = 1e12 }), ErrDamaged, "claims 1000000000000 events"},
		{"a false event count", rebuild(t, good, func(h map[string]any) { h["events"] = 41 }), ErrDamaged, "counts"},
		{"a huge body", rebuild(t, good, func(h map[string]any) { h["rawBytes"] = 1 << 32 }), ErrDamaged, "compressed"},
		{"another compression", rebuild(t, good, func(h map[string]any) { h["compression"] = "zstd" }), ErrDamaged, "zstd"},
		{"header not JSON", rebuild(t, good, func(h map[string]any) { h["format"] = "one" }), ErrDamaged, "JSON"},
	}
	for _, tt := range tests {
		s, err := Read(bytes.NewReader(tt.file))
		if s != nil || !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
			t.Errorf("%s: Read = %v, %v; want nil and %v saying %q", tt.name, s, err, tt.want, tt.text)
		}
	}

	// Every truncation and every flipped byte is noticed.
	for n := range len(good) {
		if _, err := Read(bytes.NewReader(good[:n])); err == nil {
			t.Fatalf("Read of the first %d of %d bytes succeeded", n, len(good))
		} else if n >= len(Magic) && !errors.Is(err, ErrDamaged) {
			t.Errorf("Read of the first %d bytes = %v, want ErrDamaged", n, err)
		}
		bad := bytes.Clone(good)
		bad[n] ^= 0x01
		if _, err := Read(bytes.NewReader(bad)); err == nil {
			t.Fatalf("Read with byte %d flipped succeeded", n)
		} else if !errors.Is(err, ErrDamaged) && !errors.Is(err, ErrNotSession) && !errors.Is(err, ErrNewer) {
			t.Errorf("Read with byte %d flipped = %v, want one of the package's errors", n, err)
		}
	}
}

// FuzzDecodeRaw drives the body's decoder past the checksum and the compression,
// which keep FuzzRead's mutations from reaching it.
func FuzzDecodeRaw(f *testing.F) {
	for _, n := range []int{0, 1, 8, 40} {
		var raw bytes.Buffer
		if _, err := encodeBody(&raw, synthetic(n)); err != nil {
			f.Fatal(err)
		}
		f.Add(raw.Bytes())
		f.Add(raw.Bytes()[:raw.Len()*3/4])
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var s Session
		if err := decodeRaw(raw, &s); err != nil {
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("decodeRaw = %v, want ErrDamaged", err)
			}
			return
		}
		var again bytes.Buffer
		if _, err := encodeBody(&again, &s); err != nil {
			t.Fatal(err)
		}
		var back Session
		if err := decodeRaw(again.Bytes(), &back); err != nil {
			t.Fatalf("a body decodeRaw accepted does not decode again: %v", err)
		}
		compareConvs(t, back.Conversations, s.Conversations)
		compareEvents(t, back.Events, s.Events, true)
	})
}

// A count read after the decoder had already failed was once taken as it stood:
// eight conversations claimed in 12 bytes, then a 257 GB key list (a fuzz crasher).
func TestDecodeRawCountAfterFailure(t *testing.T) {
	var s Session
	if err := decodeRaw([]byte("\b\xf8\xdc\xfe\x85\xbc\x00\x01\x00\xea1Ot"), &s); !errors.Is(err, ErrDamaged) {
		t.Errorf("decodeRaw = %v, want ErrDamaged", err)
	}
}
