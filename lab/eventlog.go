package lab

import (
	"slices"
	"time"
	"unsafe"

	"github.com/protocollab/protolab/internal/mem"
)

// eventLog is the hub's log of events: a queue in chunks of chunkLen events,
// so that it grows without copying what it holds and gives back room a chunk
// at a time as the bound drops the oldest events.
//
// The garbage collector reads every pointer the log holds at every cycle, and
// at its bound the log holds hundreds of thousands of events: a busy server
// allocates enough to start a cycle several times a second. So an event is
// held in two parts: its numbers, names, time and sizes in an array with no
// pointers, which the collector skips, and in a second one the one pointer to
// its bytes, its message or its note, whichever it has: 64 bytes with 1
// pointer rather than an Event's 144 with 7. Layer and state names are held
// as numbers (names), and so is the zone of its time (eventtime.go). What an
// event cannot hold so (more than one of bytes, message and note; a name or
// a zone its table has no room for) it keeps in beside, by sequence number,
// until it is dropped.
type eventLog struct {
	chunks []chunk // chunks[0] from head is the oldest held; every chunk but the last is full
	head   int
	n      int   // events held
	spare  chunk // an emptied chunk, kept to be the next new one
	names  names
	zones  zones
	beside map[uint64]besideEvent
	// How many of the newest events stay hot at most (a hub's: coldAfter; a
	// test's may freeze sooner), and at least hotMin of them, with those
	// a subscription has yet to read; how many of the oldest events held were looked at
	// to be frozen (eventcold.go); the texts frozen messages share; the room
	// a message is written out in first.
	hot         int
	cold        int
	readTo      uint64 // every subscription has read the events before it (Hub.readToLocked)
	texts       texts
	coldScratch []byte
	// The homes of the newest chunk, by a hash of where they begin: most
	// events' bytes lie in a slab the events before them found (atHome).
	homeCache [64]homeSlot
	// The fillers frozen messages of fillChunk keep, by a hash of their
	// words: most messages share theirs (fillIndex).
	fillChunk *chunk
	fillCache [32]fillSlotted
}

// fillSlotted is a filler of fillChunk's and its place in the chunk's fills.
type fillSlotted struct {
	f   Filler
	idx int
}

// homeSlot is a home of the newest chunk and its place in the chunk's homes.
type homeSlot struct {
	p   unsafe.Pointer
	idx int
}

// A chunk holds up to chunkLen events, the i-th in heads[i] and refs[i], and
// the frozen messages of its cold ones (eventcold.go).
type chunk struct {
	heads []heldHead
	refs  []unsafe.Pointer // Data's first byte, Msg, Text's first byte, or a frozen Msg's Raw's, as heldHead.ref says
	cold  [][]byte         // segments of frozen messages, never written again where written
	fills []Filler         // the fillers of its frozen messages built when asked (Defer)
	homes []unsafe.Pointer // where the allocations its events' bytes lie in begin (refHome), each once
	// homeLast[k] is the place in the chunk of the newest event whose bytes
	// lie in homes[k]: dropping it lets go of homes[k] (nil), so a slab is
	// collected once its last event is dropped, not with its whole chunk (a
	// bulk transfer's chunk holds tens of MiB).
	homeLast []uint16
}

// heldHead is what an event holds that the collector need not look at.
type heldHead struct {
	seq    uint64
	conv   ConvID
	n      int // the length of Data or Text (refData, refText); where Data lies (refHome)
	at     heldTime
	cost   int32
	kind   Kind
	dir    Dir
	side   Side
	shared bool
	ref    refKind
	zone   zoneID
	layer  nameID
	from   nameID
	to     nameID
}

// refKind says what an event's pointer (chunk.refs) points to.
type refKind uint8

const (
	refNone     refKind = iota
	refData             // Data is unsafe.Slice(p, n) (its cap cut to its length)
	refMsg              // Msg is p
	refText             // Text is unsafe.String(p, n)
	refMany             // several: they are beside it (besideEvent)
	refCold             // Msg is frozen at n (segment<<16 | offset) of its chunk's cold; p is its Raw's first byte
	refHome             // Data lies in one of its chunk's homes, as n says (homeRef); p is nil
	refColdHome         // refCold whose Raw lies in one of its chunk's homes: n's bits above 32 say where, as a refHome's do; p is nil
)

// frozen reports whether h's message is frozen (eventcold.go).
func (h *heldHead) frozen() bool { return h.ref == refCold || h.ref == refColdHome }

// A refHome event's n: its Data's length, its offset from its home, and its
// home's place in its chunk's homes, in homeLenBits, homeOffBits and the
// bits above them. An event whose Data does not fit keeps its pointer
// (refData); a chunk holds fewer than 1<<12 homes, one an event at most.
const (
	homeLenBits = 32
	homeOffBits = 19
)

// homeRef is a refHome event's n.
func homeRef(idx, off, n int) int { return idx<<(homeLenBits+homeOffBits) | off<<homeLenBits | n }

// homeParts is homeRef's parts again: the home's place in its chunk's homes,
// the offset from it, the length (a refColdHome's n has its segment and
// offset there instead).
func homeParts(n int) (idx, off, length int) {
	return n >> (homeLenBits + homeOffBits), n >> homeLenBits & (1<<homeOffBits - 1), n & (1<<homeLenBits - 1)
}

// homeData is a refHome event's Data, with its head h and its chunk c.
func homeData(c *chunk, h *heldHead) []byte {
	_, _, length := homeParts(h.n)
	return unsafe.Slice((*byte)(homePlace(c, h.n)), length)
}

// homePlace is where a refHome's or refColdHome's n says its bytes begin.
func homePlace(c *chunk, n int) unsafe.Pointer {
	idx, off, _ := homeParts(n)
	return unsafe.Add(c.homes[idx], off)
}

// rawHome returns the bits of a refColdHome's n that say where raw lies, if
// it lies in the Data of one of the few events before the j-th of c, of the
// same conversation, that lie in one of c's homes (refHome), and keeps that
// home until the j-th is dropped: most messages' Raw is the bytes they were
// parsed from.
func rawHome(c *chunk, j int, raw []byte) (int, bool) {
	conv := c.heads[j].conv
	p := uintptr(unsafe.Pointer(unsafe.SliceData(raw)))
	for k := j - 1; k >= max(j-8, 0); k-- {
		h := &c.heads[k]
		if h.ref != refHome || h.conv != conv {
			continue
		}
		idx, off, length := homeParts(h.n)
		if c.homes[idx] == nil {
			continue // let go of with the event (popFront)
		}
		d := uintptr(c.homes[idx]) + uintptr(off)
		if p < d || p+uintptr(len(raw)) > d+uintptr(length) {
			continue
		}
		if off += int(p - d); off >= 1<<homeOffBits {
			return 0, false
		}
		c.homeLast[idx] = max(c.homeLast[idx], uint16(j))
		return homeRef(idx, off, 0), true
	}
	return 0, false
}

// besideEvent is what an event keeps beside the log's arrays: its bytes,
// message and note when it has more than one (refMany), its names when the
// table of names is full (overflowID), its time when the table of zones is
// (zoneBeside).
type besideEvent struct {
	data            []byte
	msg             *Message
	text            string
	layer, from, to string
	at              time.Time
}

// besides reports whether h keeps anything beside the log's arrays.
func (h *heldHead) besides() bool {
	return h.ref == refMany || h.layer == overflowID || h.zone == zoneBeside
}

// chunkLen is the events of one chunk (256 KiB).
const chunkLen = 4096

func (l *eventLog) len() int { return l.n }

// place returns where the i-th oldest event held is, 0 ≤ i < len.
func (l *eventLog) place(i int) (*heldHead, *unsafe.Pointer, *chunk) {
	i += l.head
	c := &l.chunks[i/chunkLen]
	return &c.heads[i%chunkLen], &c.refs[i%chunkLen], c
}

// at returns the i-th oldest event held, 0 ≤ i < len.
func (l *eventLog) at(i int) Event {
	return l.event(l.place(i))
}

// seq returns the sequence number of the i-th oldest event held, 0 ≤ i < len.
func (l *eventLog) seq(i int) uint64 {
	h, _, _ := l.place(i)
	return h.seq
}

func (l *eventLog) event(h *heldHead, p *unsafe.Pointer, c *chunk) Event {
	e := Event{
		Seq: h.seq, Conv: h.conv, Kind: h.kind, Dir: h.dir, Side: h.side,
		shared: h.shared, cost: h.cost,
	}
	var b besideEvent
	if h.besides() {
		b = l.beside[h.seq]
	}
	if h.zone == zoneBeside {
		e.At = b.at
	} else {
		e.At = l.zones.time(h)
	}
	switch h.ref {
	case refData:
		e.Data = unsafe.Slice((*byte)(*p), h.n)
	case refMsg:
		e.Msg = (*Message)(*p)
	case refText:
		e.Text = unsafe.String((*byte)(*p), h.n)
	case refMany:
		e.Data, e.Msg, e.Text = b.data, b.msg, b.text
	case refCold, refColdHome:
		e.Msg = l.thaw(c, h, *p)
	case refHome:
		idx, _, _ := homeParts(h.n)
		e.Data, e.home = homeData(c, h), c.homes[idx]
	}
	if h.layer == overflowID {
		e.Layer, e.From, e.To = b.layer, b.from, b.to
	} else {
		e.Layer, e.From, e.To = l.names.name(h.layer), l.names.name(h.from), l.names.name(h.to)
	}
	return e
}

// push appends e.
func (l *eventLog) push(e *Event) {
	k := len(l.chunks)
	if k == 0 || len(l.chunks[k-1].heads) == chunkLen {
		c := l.spare
		l.spare = chunk{}
		if c.heads == nil {
			c = chunk{heads: make([]heldHead, 0, chunkLen), refs: make([]unsafe.Pointer, 0, chunkLen)}
			mem.FaultSlice(c.refs)
		}
		l.chunks = append(l.chunks, c)
		k++
		clear(l.homeCache[:])
	}
	c := &l.chunks[k-1]
	// Its head is written where it is held, not built and copied there.
	c.heads = append(c.heads, heldHead{})
	h := &c.heads[len(c.heads)-1]
	h.seq, h.conv, h.cost = e.Seq, e.Conv, e.cost
	h.kind, h.dir, h.side, h.shared = e.Kind, e.Dir, e.Side, e.shared
	var b besideEvent
	if !l.zones.hold(h, e.At) {
		b.at = e.At
	}
	var p unsafe.Pointer
	switch {
	case e.Data == nil && e.Msg == nil && e.Text == "":
	case e.Msg == nil && e.Text == "":
		h.ref, h.n, p = refData, len(e.Data), unsafe.Pointer(unsafe.SliceData(e.Data))
		if e.home != nil {
			if n, ok := l.atHome(c, len(c.heads)-1, e.home, e.Data); ok {
				h.ref, h.n, p = refHome, n, nil
			}
		}
	case e.Data == nil && e.Text == "":
		h.ref, p = refMsg, unsafe.Pointer(e.Msg)
	case e.Data == nil && e.Msg == nil:
		h.ref, h.n, p = refText, len(e.Text), unsafe.Pointer(unsafe.StringData(e.Text))
	default:
		h.ref = refMany
		b.data, b.msg, b.text = e.Data, e.Msg, e.Text
	}
	var ok bool
	h.layer, ok = l.names.id(e.Layer)
	if e.From != "" || e.To != "" {
		from, okFrom := l.names.id(e.From)
		to, okTo := l.names.id(e.To)
		h.from, h.to, ok = from, to, ok && okFrom && okTo
	}
	if !ok {
		// The table is full: the event keeps its names beside it.
		h.layer = overflowID
		b.layer, b.from, b.to = e.Layer, e.From, e.To
	}
	if h.besides() {
		if l.beside == nil {
			l.beside = make(map[uint64]besideEvent)
		}
		l.beside[e.Seq] = b
	}
	c.refs = append(c.refs, p)
	l.n++
	// Two at most a push: a reader that caught up makes many events cold
	// at once, and they are frozen a few at a time, not all under one lock.
	for range 2 {
		if hot := l.n - l.cold; hot <= min(l.hot, hotMin) || hot <= l.hot && l.seq(l.cold) >= l.readTo {
			break
		}
		l.freeze(l.cold)
		l.cold++
	}
}

// atHome returns the n of the j-th event of c, refHome, whose Data d lies in
// the allocation that begins at home, adding home to c's homes if it is not
// there yet (c is the newest chunk), or was let go of. A connection's events' bytes share a
// slab (Conversation.keep), so the collector reads a pointer a slab a chunk
// rather than one an event: at its bound the log holds a hundred thousand
// events or more, and near the memory limit a cycle runs dozens of times a
// second.
func (l *eventLog) atHome(c *chunk, j int, home unsafe.Pointer, d []byte) (int, bool) {
	off := uintptr(unsafe.Pointer(unsafe.SliceData(d))) - uintptr(home)
	if off >= 1<<homeOffBits || uint64(len(d)) >= 1<<homeLenBits {
		return 0, false
	}
	slot := &l.homeCache[slotOf(uint64(uintptr(home)), 6)]
	if slot.p != home || c.homes[slot.idx] != home {
		slot.p, slot.idx = home, len(c.homes)
		c.homes = append(c.homes, home)
		c.homeLast = append(c.homeLast, 0)
	}
	c.homeLast[slot.idx] = uint16(j)
	return homeRef(slot.idx, int(off), len(d)), true
}

// slotOf is x's place in a cache of 1<<bits slots (Fibonacci hashing: the
// high bits of x times 2⁶⁴ divided by the golden ratio).
func slotOf(x uint64, bits uint) int { return int(x * 0x9E3779B97F4A7C15 >> (64 - bits)) }

// popFront forgets the oldest event held (len > 0).
func (l *eventLog) popFront() {
	first := &l.chunks[0]
	h := &first.heads[l.head]
	if h.besides() {
		delete(l.beside, h.seq)
	}
	if h.ref == refHome || h.ref == refColdHome {
		if idx, _, _ := homeParts(h.n); int(first.homeLast[idx]) == l.head {
			first.homes[idx] = nil // its last event: the slab may go
		}
	}
	first.refs[l.head] = nil
	l.head++
	l.n--
	l.cold = max(l.cold-1, 0)
	if l.head == len(first.heads) && (l.head == chunkLen || l.n == 0) {
		// The chunk is done with: its room is the next chunk's (but not its
		// frozen messages' segments: a reader may hold text in them).
		clear(first.homes)
		l.spare = chunk{heads: first.heads[:0], refs: first.refs[:0], homes: first.homes[:0], homeLast: first.homeLast[:0]}
		l.chunks[0] = chunk{}
		l.chunks = l.chunks[1:]
		l.head = 0
		if len(l.chunks) == 0 {
			l.chunks = nil
		}
	}
}

// appendRange appends copies of the events i ≤ k < j to out.
func (l *eventLog) appendRange(out []Event, i, j int) []Event {
	out = slices.Grow(out, j-i)
	for ; i < j; i++ {
		out = append(out, l.event(l.place(i)))
	}
	return out
}

// reset forgets every event.
func (l *eventLog) reset() {
	for _, c := range l.chunks {
		clear(c.refs)
		clear(c.homes)
	}
	*l = eventLog{hot: l.hot}
}

// nameID numbers a name in a names table; 0 is "".
type nameID uint16

// overflowID marks an event whose names are kept beside it (names.over).
const overflowID = nameID(1<<16 - 1)

// names numbers the layer and state names the log holds, as nameIDs, in a
// table of texts (eventcold.go). Analyzers name them with constants, so the
// table stays small; should it fill, each further event keeps its names
// beside it (besideEvent).
type names struct{ texts }

// id returns s's number, and false when the table is full and s not in it.
func (t *names) id(s string) (nameID, bool) {
	if s == "" {
		return 0, true
	}
	id, ok := t.texts.id(s, int(overflowID)-1)
	return nameID(id), ok
}

func (t *names) name(id nameID) string {
	if id == 0 || id == overflowID {
		return ""
	}
	return t.list[id]
}
