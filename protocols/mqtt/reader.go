package mqtt

import (
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/protocollab/protolab/lab"
)

// reader reads the fields of one control packet, p, recording each with the
// bytes it was read from. The first read past the end sets short, and every
// read after it returns nothing: the packet is cut short.
type reader struct {
	p      []byte
	off    int
	fields []lab.Field
	short  string // the field that did not fit, "" while all did
	// brief, if true, records no field: the packet is framed and checked
	// now, its fields built when someone looks (lab.Message.Defer).
	brief bool
}

// add records a field spanning n bytes from off; an empty one spans none.
func (r *reader) add(name, value string, off, n int) {
	if r.brief {
		return
	}
	if n == 0 {
		off = 0
	}
	r.fields = append(r.fields, lab.Field{Name: name, Value: value, Off: off, Len: n})
}

// note records a field that spans no bytes of its own (a conclusion drawn from others).
func (r *reader) note(name, value string) {
	if r.brief {
		return
	}
	r.fields = append(r.fields, lab.Field{Name: name, Value: value})
}

// take returns the next n bytes and their offset, or ok false when fewer are left.
func (r *reader) take(name string, n int) (b []byte, off int, ok bool) {
	if r.short != "" || n > len(r.p)-r.off {
		if r.short == "" {
			r.short = name
		}
		return nil, 0, false
	}
	off = r.off
	r.off += n
	return r.p[off:r.off], off, true
}

// byte1 reads one byte (its field is left to the caller, who explains its bits).
func (r *reader) byte1(name string) (byte, int, bool) {
	b, off, ok := r.take(name, 1)
	if !ok {
		return 0, 0, false
	}
	return b[0], off, true
}

// u16 reads a two-byte big-endian integer as the field name.
func (r *reader) u16(name string) (int, bool) {
	b, off, ok := r.take(name, 2)
	if !ok {
		return 0, false
	}
	v := int(binary.BigEndian.Uint16(b))
	if !r.brief {
		r.add(name, strconv.Itoa(v), off, 2)
	}
	return v, true
}

// bytes reads two bytes of length, then that many (§1.5.3 UTF-8 strings and
// the binary data of the will message and password), and records the length
// and the value as the fields "<name> length" and name, show turning the value
// into text.
func (r *reader) lengthPrefixed(name string, show func([]byte) string) ([]byte, bool) {
	lb, loff, ok := r.take(name+" length", 2)
	if !ok {
		return nil, false
	}
	n := int(binary.BigEndian.Uint16(lb))
	b, off, ok := r.take(name, n)
	if r.brief && ok {
		return b, true
	}
	if !ok {
		r.add(name+" length", fmt.Sprintf("%d (more than the %d bytes left)", n, len(r.p)-r.off), loff, 2)
		return nil, false
	}
	r.add(name+" length", strconv.Itoa(n), loff, 2)
	r.add(name, show(b), off, max(n, 0))
	return b, true
}

// str reads a UTF-8 encoded string (§1.5.3).
func (r *reader) str(name string) (string, bool) {
	b, ok := r.lengthPrefixed(name, quoteText)
	return string(b), ok
}

// rest returns the bytes not read yet, and reads them.
func (r *reader) rest() ([]byte, int) {
	off := r.off
	r.off = len(r.p)
	return r.p[off:], off
}

// left is how many bytes are not read yet.
func (r *reader) left() int { return len(r.p) - r.off }

// quoteText shows a string field: quoted, with what is not printable escaped.
func quoteText(b []byte) string { return lab.Preview(b, 200) }
