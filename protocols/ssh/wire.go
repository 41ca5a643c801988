package ssh

import (
	"encoding/binary"
	"strconv"
	"strings"
)

// reader reads the data types of RFC 4251 §5 from a packet's payload. A read past
// the end sets bad and returns zero values, so a parser checks once at its end.
type reader struct {
	b   []byte
	bad bool
}

func (r *reader) byte() byte {
	if len(r.b) < 1 {
		r.bad = true
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *reader) bool() bool { return r.byte() != 0 }

func (r *reader) uint32() uint32 {
	if len(r.b) < 4 {
		r.bad = true
		r.b = nil
		return 0
	}
	v := binary.BigEndian.Uint32(r.b)
	r.b = r.b[4:]
	return v
}

// string reads a length-prefixed byte string (also an mpint's encoding).
func (r *reader) string() []byte {
	n := r.uint32()
	if r.bad || uint64(n) > uint64(len(r.b)) {
		r.bad = true
		r.b = nil
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes(n int) []byte {
	if len(r.b) < n {
		r.bad = true
		r.b = nil
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

// nameList reads a comma-separated name-list (RFC 4251 §5).
func (r *reader) nameList() []string {
	s := r.string()
	if len(s) == 0 {
		return nil
	}
	return strings.Split(string(s), ",")
}

// printable quotes text for a summary when it holds anything but printable ASCII.
func printable(b []byte) string {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return strconv.QuoteToASCII(string(b))
		}
	}
	return string(b)
}

// clip shortens s to at most n bytes for a summary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Size is a byte count the way a person reads it: "512 bytes", "12.3 KiB", "4.0 MiB".
func Size(n int64) string {
	switch {
	case n == 1:
		return "1 byte"
	case n < 1024:
		return strconv.FormatInt(n, 10) + " bytes"
	case n < 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KiB"
	case n < 1<<30:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	}
	return strconv.FormatFloat(float64(n)/(1<<30), 'f', 1, 64) + " GiB"
}
