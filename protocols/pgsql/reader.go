package pgsql

import (
	"bytes"
	"encoding/binary"
	"strconv"

	"github.com/protocollab/protolab/lab"
)

// reader reads the fields of one message, m.Raw, from off on, recording each
// field with the bytes it was read from. The first read past the end sets
// short, and every read after it returns nothing: the message is cut short.
type reader struct {
	m     *lab.Message
	off   int
	short string // the field that did not fit, "" while all did
	brief bool   // read the values, record no fields (they are built when asked: briefly)
}

// add records a field spanning n bytes from off.
func (r *reader) add(name, value string, off, n int) {
	if r.brief {
		return
	}
	if n <= 0 {
		off, n = 0, 0
	}
	r.m.Fields = append(r.m.Fields, lab.Field{Name: name, Value: value, Off: off, Len: n})
}

// note records a field that spans no bytes of its own.
func (r *reader) note(name, value string) {
	if r.brief {
		return
	}
	r.m.Fields = append(r.m.Fields, lab.Field{Name: name, Value: value})
}

// take returns the next n bytes and their offset, or ok false when fewer are left.
func (r *reader) take(name string, n int) (b []byte, off int, ok bool) {
	if r.short != "" || n < 0 || n > len(r.m.Raw)-r.off {
		if r.short == "" {
			r.short = name
		}
		return nil, 0, false
	}
	off = r.off
	r.off += n
	return r.m.Raw[off:r.off], off, true
}

// int32 reads a big-endian Int32 (signed) without recording it.
func (r *reader) int32(name string) (int32, int, bool) {
	b, off, ok := r.take(name, 4)
	if !ok {
		return 0, 0, false
	}
	return int32(binary.BigEndian.Uint32(b)), off, true
}

// int16 reads a big-endian Int16 (signed) without recording it.
func (r *reader) int16(name string) (int16, int, bool) {
	b, off, ok := r.take(name, 2)
	if !ok {
		return 0, 0, false
	}
	return int16(binary.BigEndian.Uint16(b)), off, true
}

// i32 reads an Int32 and records it as the field name.
func (r *reader) i32(name string) (int32, bool) {
	v, off, ok := r.int32(name)
	if ok {
		r.add(name, strconv.Itoa(int(v)), off, 4)
	}
	return v, ok
}

// i16 reads an Int16 and records it as the field name.
func (r *reader) i16(name string) (int16, bool) {
	v, off, ok := r.int16(name)
	if ok {
		r.add(name, strconv.Itoa(int(v)), off, 2)
	}
	return v, ok
}

// cstr reads a String (ended by a zero byte) and records it as the field
// name, its span without the zero byte.
func (r *reader) cstr(name string) (string, bool) {
	s, off, ok := r.cstring(name)
	if ok && !r.brief {
		r.add(name, quote(s), off, len(s))
	}
	return s, ok
}

// cstring reads a String without recording it: its text and offset.
func (r *reader) cstring(name string) (string, int, bool) {
	b, off, ok := r.cbytes(name)
	return string(b), off, ok
}

// cbytes is cstring's text as the message's own bytes, not a copy.
func (r *reader) cbytes(name string) ([]byte, int, bool) {
	if r.short != "" {
		return nil, 0, false
	}
	i := bytes.IndexByte(r.m.Raw[r.off:], 0)
	if i < 0 {
		r.short = name
		return nil, 0, false
	}
	off := r.off
	r.off += i + 1
	return r.m.Raw[off : off+i], off, true
}

// rest reads the bytes not read yet and returns them with their offset.
func (r *reader) rest() ([]byte, int) {
	off := r.off
	r.off = len(r.m.Raw)
	return r.m.Raw[off:], off
}

// left is how many bytes are not read yet.
func (r *reader) left() int { return len(r.m.Raw) - r.off }

// quote shows text from the wire: quoted, what is not printable escaped, cut
// after 200 bytes.
func quote(s string) string {
	if len(s) > 200 {
		return lab.Preview([]byte(s), 200)
	}
	return strconv.Quote(s)
}

// appendQuote appends quote(s) to dst, for a summary built in one allocation.
func appendQuote(dst []byte, s string) []byte {
	if len(s) > 200 {
		return lab.AppendPreview(dst, []byte(s), 200)
	}
	// Plain printable ASCII with nothing to escape, the common value, is
	// quoted as it is: strconv's rune-by-rune escaping costs more than the
	// rest of a DataRow's analysis.
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
			return strconv.AppendQuote(dst, s)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}
