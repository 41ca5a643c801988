package framing

import (
	"github.com/protocollab/protolab/internal/mem"
	"github.com/protocollab/protolab/lab"
)

// blockSize is how many messages one Block allocation holds at most, and
// blockFirst at first: a Block's allocations double from blockFirst to
// blockSize, so a short connection's few messages take a small one, while a
// busy connection's soon share allocations of blockSize. blockMin is the room
// below which the next Start takes a new allocation (a quarter of a small
// one's). A Feed that framed more than the room it was given (a broker's
// read of hundreds of deliveries) has the next Starts give room for as many,
// up to blockMost, rather than append grow a slice of its own, copying each
// message again at every doubling.
const (
	blockFirst = 4
	blockSize  = 128
	blockMin   = 16
	blockMost  = 1024
)

// grow is the next size of allocations that double from first to most, after
// one of size (0: none yet).
func grow(size, first, most int) int { return min(max(2*size, first), most) }

// Block hands an analyzer the slices its Feed returns its messages in, cut one
// after another from a shared allocation. A busy connection's Feed often frames
// several messages at once (a broker's fan-out, a pipelined batch); appending
// them to a slice of its own grows it 1, 2, 4, 8, ..., copying each message
// as often, and allocates once per Feed besides. The hub keeps each message
// where the analyzer made it, so an allocation lives as long as the newest of
// its messages: at most blockSize messages of room, held in the order the
// hub's log drops them.
type Block struct {
	b         []lab.Message
	size      int                   // the last allocation's size (grow)
	want      int                   // the room a Feed that outgrew its room needed, halved by each Feed of far fewer
	pubs      Slab[lab.Publication] // see Pub
	exchanges Slab[lab.Exchange]    // see Exchange
}

// Start returns an empty slice to append a Feed's messages to, with the room
// left in the current allocation.
func (k *Block) Start() []lab.Message {
	if room := cap(k.b) - len(k.b); room < max(min(blockMin, max(k.size/4, 1)), k.want) {
		k.size = grow(k.size, blockFirst, blockSize)
		k.b = make([]lab.Message, 0, max(k.size, k.want))
		mem.FaultSlice(k.b)
	}
	return k.b[len(k.b):len(k.b)]
}

// Done takes out, the slice Start returned with the Feed's messages appended,
// and returns it to hand to the hub, its capacity cut to its length so that
// nobody appending to it writes into the room of later Feeds. Whatever part
// of the room out reaches into is taken, even when the analyzer resliced it;
// when out outgrew the room, append has moved it elsewhere, and the next
// Start takes a new allocation.
func (k *Block) Done(out []lab.Message) []lab.Message {
	if len(out) == 0 {
		return nil
	}
	if len(out) < k.want/4 {
		k.want /= 2
	}
	full := k.b[:cap(k.b)]
	if c := cap(out); c <= len(full) && &full[len(full)-1] == &out[:c][c-1] {
		// out ends where the allocation ends: it lies in it, up to end.
		if end := len(full) - c + len(out); end > len(k.b) {
			k.b = k.b[:end]
		}
	} else {
		// out outgrew the room: the next Start takes a new allocation, the
		// next size up or as large as out, rather than hand out a room this
		// Feed found too small.
		k.b = full
		k.want = min(max(k.want, len(out)), blockMost)
	}
	return out[:len(out):len(out)]
}

// slabSize is how many values one allocation of a Slab holds at most, and
// slabFirst at first (they double, as a Block's do).
const (
	slabFirst = 4
	slabSize  = 64
)

// Slab hands out pointers to copies of values, cut from shared allocations:
// what an analyzer keeps for each message (a deferred field's state) costs
// one allocation per slabSize messages, which live about as long as each other.
type Slab[T any] struct {
	s    []T
	size int // the last allocation's size (grow)
}

// Put returns a pointer to a copy of v.
func (k *Slab[T]) Put(v T) *T {
	if len(k.s) == cap(k.s) {
		k.size = grow(k.size, slabFirst, slabSize)
		k.s = make([]T, 0, k.size)
		mem.FaultSlice(k.s)
	}
	k.s = append(k.s, v)
	return &k.s[len(k.s)-1]
}

// Runs hands out room for runs of values, cut one after another from shared
// allocations, as a Slab hands out single ones: the decoded fields a message
// keeps to build its own fields when someone looks.
type Runs[T any] struct {
	s    []T
	size int // the last allocation's size (grow)
}

// Room returns an empty slice with room for exactly n values.
func (k *Runs[T]) Room(n int) []T {
	if n > cap(k.s)-len(k.s) {
		if n > slabSize/4 {
			return make([]T, 0, n)
		}
		k.size = grow(k.size, 4*slabFirst, slabSize)
		k.s = make([]T, 0, k.size)
	}
	i := len(k.s)
	k.s = k.s[:i+n]
	return k.s[i : i : i+n]
}

// Pub returns a pointer to a copy of p, cut from a shared allocation as the
// messages are: a broker's every delivery carries one, and one allocation per
// delivery is most of what marking a publication costs.
func (k *Block) Pub(p lab.Publication) *lab.Publication { return k.pubs.Put(p) }

// Exchange is Pub for a message's exchange (a QoS 1 or 2 delivery's step).
func (k *Block) Exchange(x lab.Exchange) *lab.Exchange { return k.exchanges.Put(x) }
