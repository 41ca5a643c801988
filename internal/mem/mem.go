// Package mem gives byte buffers whose room the runtime does not clear first.
package mem

import (
	"strings"
	"unsafe"
)

// Room returns an empty slice with room for at least n bytes (n > 0) that
// the runtime did not clear: for a buffer that is only appended to, each
// byte written before it is read, as a capture's slab is. make clears what
// it gives, and for a buffer of tens of kilobytes written once, clearing it
// costs about what writing it does. strings.Builder grows without clearing;
// the slice is a view of its room, the Builder and its string forgotten.
func Room(n int) []byte {
	var b strings.Builder
	b.Grow(n)
	b.WriteByte(0) // a string of one byte, whose first byte's address is defined
	return unsafe.Slice(unsafe.StringData(b.String()), b.Cap())[:0]
}
