// Package mem gives byte buffers whose room the runtime does not clear first.
package mem

import (
	"os"
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

// Fault has the system map the pages of the n bytes at p for writing, by
// writing a zero into each: p is an allocation make gave that holds nothing
// yet (every byte zero).
//
// A fresh allocation of the runtime's is memory the system has not handed
// out yet: make does not clear it, as the system gives it zeroed, and its
// pages are mapped when first touched. When that first touch is a read, the
// system maps its one page of zeros there, read-only; the first write then
// faults again to map a page of its own and has every core flush the old
// mapping from its TLB (an interrupt to each). The collector reads every
// word of an allocation that may hold pointers, filled or not: so a slab of
// messages or pointers filled over time is read before most of it is
// written, and each of its pages faults twice. Writing a zero into each of
// its pages first maps each once, for writing (and costs a store a page
// when they are mapped already: memory the runtime reused, and cleared).
// A zero over a zero changes nothing the collector sees, so no write
// barrier is needed.
func Fault(p unsafe.Pointer, n uintptr) {
	if n == 0 {
		return
	}
	b := unsafe.Slice((*byte)(p), n)
	for i := uintptr(0); i < n; i += pageSize {
		b[i] = 0
	}
	b[n-1] = 0 // the last page, when p is not at a page's start
}

// FaultSlice is Fault for the whole room of s, a slice make gave that holds
// nothing yet.
func FaultSlice[T any](s []T) {
	var zero T
	Fault(unsafe.Pointer(unsafe.SliceData(s)), uintptr(cap(s))*unsafe.Sizeof(zero))
}

// pageSize is the system's page size.
var pageSize = uintptr(os.Getpagesize())
