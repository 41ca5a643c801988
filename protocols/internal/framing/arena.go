package framing

import (
	"unsafe"

	"github.com/protocollab/protolab/internal/mem"
)

// arenaSize is the room one allocation of an Arena gives at most, and
// arenaFirst at first (they double, as a Block's do).
const (
	arenaFirst = 256
	arenaSize  = 4 << 10
)

// Arena hands out room for what an analyzer keeps of each message (a
// summary's text, a payload's preview), cut one after another from shared
// allocations: a busy connection's small messages share an allocation
// rather than take one each. What it hands out is never handed out again,
// so a string made of it stays as it was; an allocation lives as long as the
// newest message that keeps some of it, as Block's do.
//
// First and Most size its allocations, which double from First to Most
// (zero: arenaFirst and arenaSize); what is over a quarter of Most gets an
// allocation of its own.
type Arena struct {
	First, Most int
	b           []byte
	size        int // the last allocation's size (grow)
}

// Room returns an empty slice with room for exactly n bytes, to append to:
// the room is not cleared first (mem.Room).
func (a *Arena) Room(n int) []byte {
	if n > cap(a.b)-len(a.b) {
		first, most := a.First, a.Most
		if most == 0 {
			first, most = arenaFirst, arenaSize
		}
		if n > most/4 {
			return mem.Room(n)[:0:n]
		}
		a.size = grow(a.size, first, most)
		for a.size < n {
			a.size = grow(a.size, first, most)
		}
		a.b = mem.Room(a.size)[:0:a.size]
	}
	k := len(a.b)
	a.b = a.b[:k+n]
	return a.b[k : k : k+n]
}

// String returns b's text, kept in the arena.
func (a *Arena) String(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	r := append(a.Room(len(b)), b...)
	return unsafe.String(unsafe.SliceData(r), len(r))
}

// maxScratch is the largest buffer Text keeps for the next summary.
const maxScratch = 4 << 10

// Text returns the text built in b, kept in the arena, and keeps b's room as
// *scratch for the next text to be built in while it is small: a summary
// built in one buffer costs no allocation of its own.
func (a *Arena) Text(scratch *[]byte, b []byte) string {
	*scratch = nil
	if cap(b) <= maxScratch {
		*scratch = b[:0]
	}
	return a.String(b)
}
