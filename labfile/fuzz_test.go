package labfile_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/protocollab/protolab/labfile"
)

// FuzzRead drives the reader with real small sessions and broken variants of
// them: it must refuse with one of its errors or read a session that writes and
// reads back the same, never panic, never allocate by a claimed size.
func FuzzRead(f *testing.F) {
	b := newBench(f)
	capture(f, b, nil)
	var real bytes.Buffer
	if err := labfile.Write(&real, labfile.Capture(b, nil)); err != nil {
		f.Fatal(err)
	}
	b.StopAll()
	var small, marked bytes.Buffer
	labfile.Write(&small, labfile.SyntheticSession(12))
	// Messages through a broker, in exchanges, with roles (format 4), a burst (format 5).
	labfile.Write(&marked, labfile.MarkSession())
	for _, good := range [][]byte{real.Bytes(), small.Bytes(), marked.Bytes()} {
		f.Add(good)
		f.Add(good[:len(good)/2])
		f.Add(good[:len(good)-1])
		flipped := bytes.Clone(good)
		flipped[len(good)*2/3] ^= 0x10
		f.Add(flipped)
		newer := bytes.Clone(good)
		binary.BigEndian.PutUint32(newer[len(labfile.Magic):], labfile.FormatVersion+1)
		f.Add(newer)
	}
	f.Add([]byte(labfile.Magic))
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := labfile.Read(bytes.NewReader(data))
		if err != nil {
			if s != nil {
				t.Fatalf("Read returned a session and %v", err)
			}
			if !errors.Is(err, labfile.ErrDamaged) && !errors.Is(err, labfile.ErrNotSession) && !errors.Is(err, labfile.ErrNewer) {
				t.Fatalf("Read = %v, not one of the package's errors", err)
			}
			if _, ierr := labfile.ReadInfo(bytes.NewReader(data)); ierr == nil && !errors.Is(err, labfile.ErrDamaged) {
				t.Fatalf("ReadInfo accepts what Read refuses: %v", err)
			}
			return
		}
		var again bytes.Buffer
		if err := labfile.Write(&again, s); err != nil {
			t.Fatalf("Write of a session Read accepted: %v", err)
		}
		back, err := labfile.Read(&again)
		if err != nil {
			t.Fatalf("a session Read accepted does not read back: %v", err)
		}
		labfile.CompareSessions(t, back, s)
	})
}
