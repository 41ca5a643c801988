package lab

import (
	"encoding/binary"
	"strings"
	"unsafe"

	"github.com/protocollab/protolab/internal/mem"
)

// The log holds its newest events as they were published (hot), and the
// messages of the older ones frozen (cold): written out as bytes, in
// segments the collector does not look into, with the one pointer to their
// Raw's bytes and, for a message built when asked (Defer), its filler.
//
// At its bound the log holds a hundred thousand messages or more, and the
// collector marks each of them, and what each points to, at every cycle: a
// busy server starts several cycles a second, and near the memory limit
// (LimitMemory) dozens. A message lives through many cycles between its
// publication and its drop, so writing it out once costs less than marking
// it again and again. A reader that reads a frozen event gets a message made
// anew from the bytes, equal to the one published: its text points into the
// segment, which lives as long as anything points to it, and is never
// written again.

// coldAfter is how many of the newest events stay hot at most
// (eventLog.hot), and hotMin at least: of those between, the ones a
// subscription has yet to read stay hot, so readers that keep up (the
// inspector, serve's log, a recording) read them as they were published.
const (
	coldAfter = 16 << 10
	hotMin    = 1024
)

// coldSegment is the room of one segment of frozen messages; a message
// whose bytes would not fit one stays hot.
const coldSegment = 64 << 10

// maxInterned bounds the texts the log numbers (meanings, references, state
// and layer names, field names: constants, mostly), and maxInternLen the
// length of one; a text past either is written out with its message.
const (
	maxInterned  = 4096
	maxInternLen = 1024
)

// texts numbers the texts messages repeat (and, as names, the layer and
// state names of events). It keeps copies of the texts it
// numbers, so that it holds nothing else alive (a field name may point
// into a connection's captured bytes). cache finds a text again by where it
// lies, as most are constants; what it finds is checked against the text.
type texts struct {
	ids   map[string]uint32
	list  []string // list[id]; list[0] is unused
	cache [256]struct {
		p  uintptr
		id uint32
	}
}

// id returns s's number, and false when the table numbers most texts and s
// is not one of them.
func (t *texts) id(s string, most int) (uint32, bool) {
	p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
	slot := &t.cache[(p>>3^uintptr(len(s)))%uintptr(len(t.cache))]
	if slot.p == p && slot.id != 0 && t.list[slot.id] == s {
		return slot.id, true
	}
	id, ok := t.ids[s]
	if !ok {
		if len(t.list) == 0 {
			t.list = []string{""}
			t.ids = make(map[string]uint32)
		}
		if len(t.list) > most {
			return 0, false
		}
		id = uint32(len(t.list))
		c := strings.Clone(s)
		t.list = append(t.list, c)
		t.ids[c] = id
	}
	slot.p, slot.id = p, id
	return id, true
}

// Flags of a frozen message's first byte.
const (
	coldHandshake = 1 << iota
	coldTeardown
	coldObserved
	coldRawOwned
	coldRawNil // Raw is nil (else, with length 0, empty)
	coldFill
	coldFieldsNil // Fields is nil (else, with count 0, empty)
)

// freeze writes the message of the i-th oldest event out, if it has one that
// can be: a message of a broker's publication or of an exchange stays hot
// (the hub's index of publications follows it).
func (l *eventLog) freeze(i int) {
	h, r, c := l.place(i)
	if h.ref != refMsg {
		return
	}
	m := (*Message)(*r)
	if m.Pub != nil || m.Exchange != nil {
		return
	}
	b := l.coldScratch[:0]
	flags := flag(m.Handshake, coldHandshake) | flag(m.Teardown, coldTeardown) | flag(m.Observed, coldObserved) |
		flag(m.rawOwned, coldRawOwned) | flag(m.Raw == nil, coldRawNil) | flag(m.fill != nil, coldFill) |
		flag(m.Fields == nil, coldFieldsNil)
	b = append(b, flags, byte(m.Dir), byte(m.Role))
	b = binary.AppendUvarint(b, uint64(uint32(m.held)))
	b = binary.AppendUvarint(b, uint64(len(m.Raw)))
	b = l.appendText(b, m.Summary, false)
	b = l.appendText(b, m.Meaning, true)
	b = l.appendText(b, m.Ref, true)
	b = l.appendText(b, m.NextState, true)
	b = l.appendText(b, m.Layer, true)
	b = l.appendText(b, m.Pair, false)
	b = binary.AppendUvarint(b, uint64(len(m.Fields)))
	for _, f := range m.Fields {
		b = l.appendText(b, f.Name, true)
		b = l.appendText(b, f.Value, false)
		b = binary.AppendVarint(b, int64(f.Off))
		b = binary.AppendVarint(b, int64(f.Len))
	}
	fill, newFill := 0, false
	if m.fill != nil {
		fill, newFill = l.fillIndex(c, m.fill)
		b = binary.AppendUvarint(b, uint64(fill))
	}
	if cap(b) <= coldSegment {
		l.coldScratch = b[:0]
	}
	if len(b) > coldSegment {
		return
	}
	k := len(c.cold) - 1
	if k < 0 || cap(c.cold[k])-len(c.cold[k]) < len(b) {
		c.cold = append(c.cold, mem.Room(coldSegment)[:0:coldSegment])
		k++
	}
	off := len(c.cold[k])
	c.cold[k] = append(c.cold[k], b...)
	if newFill {
		if c.fills == nil {
			c.fills = make([]Filler, 0, 64) // grown a few times at most, each a copy through the collector's barrier
		}
		slot := &l.fillCache[fillSlot(m.fill)]
		slot.f, slot.idx = m.fill, len(c.fills)
		c.fills = append(c.fills, m.fill)
	}
	h.ref, h.n = refCold, k<<16|off
	*r = nil
	if len(m.Raw) > 0 {
		if at, ok := rawHome(c, (i+l.head)%chunkLen, m.Raw); ok {
			h.ref, h.n = refColdHome, h.n|at
		} else {
			*r = unsafe.Pointer(unsafe.SliceData(m.Raw))
		}
	}
}

// fillIndex returns the place in c.fills of a filler the same as f, and
// false, or the place f will take there, and true. Most of an analyzer's
// messages share a filler (a function made once for a result's columns, or
// none captured), so a chunk keeps each once: the collector reads its
// pointer once, not once a message. Fillers are the same when their words
// are: the same method or function on the same value.
func (l *eventLog) fillIndex(c *chunk, f Filler) (int, bool) {
	if l.fillChunk != c {
		l.fillChunk = c
		clear(l.fillCache[:])
	}
	slot := &l.fillCache[fillSlot(f)]
	if slot.f != nil && fillWords(slot.f) == fillWords(f) {
		return slot.idx, false
	}
	return len(c.fills), true
}

// fillWords is f's interface words: its method table and its value.
func fillWords(f Filler) [2]unsafe.Pointer { return *(*[2]unsafe.Pointer)(unsafe.Pointer(&f)) }

// fillSlot is f's place in fillCache.
func fillSlot(f Filler) int {
	w := fillWords(f)
	return slotOf(uint64(uintptr(w[0]))^uint64(uintptr(w[1])), 5)
}

// flag is f when on, else 0.
func flag(on bool, f byte) byte {
	if on {
		return f
	}
	return 0
}

// appendText writes s out: as its number when intern and the table numbers
// it, else whole.
func (l *eventLog) appendText(b []byte, s string, intern bool) []byte {
	if intern && s != "" && len(s) <= maxInternLen {
		if id, ok := l.texts.id(s, maxInterned); ok {
			return binary.AppendUvarint(b, uint64(id)<<1|1)
		}
	}
	b = binary.AppendUvarint(b, uint64(len(s))<<1)
	return append(b, s...)
}

// emptyRaw is the array of a frozen message's Raw that was empty, not nil.
var emptyRaw [0]byte

// thaw makes the frozen message of an event of c anew: h its head, p its
// pointer (its Raw's first byte, unless the Raw lies in a home: refColdHome).
func (l *eventLog) thaw(c *chunk, h *heldHead, p unsafe.Pointer) *Message {
	if h.ref == refColdHome {
		p = homePlace(c, h.n)
	}
	d := coldReader{b: c.cold[h.n>>16&(1<<16-1)], i: h.n & (1<<16 - 1), t: &l.texts}
	flags := d.b[d.i]
	m := &Message{
		Dir:       Dir(d.b[d.i+1]),
		Role:      Role(d.b[d.i+2]),
		Handshake: flags&coldHandshake != 0,
		Teardown:  flags&coldTeardown != 0,
		Observed:  flags&coldObserved != 0,
		rawOwned:  flags&coldRawOwned != 0,
	}
	d.i += 3
	m.held = int32(uint32(d.uvarint()))
	switch n := int(d.uvarint()); {
	case flags&coldRawNil != 0:
	case n == 0:
		m.Raw = emptyRaw[:]
	default:
		m.Raw = unsafe.Slice((*byte)(p), n)
	}
	m.Summary = d.text()
	m.Meaning = d.text()
	m.Ref = d.text()
	m.NextState = d.text()
	m.Layer = d.text()
	m.Pair = d.text()
	if n := int(d.uvarint()); flags&coldFieldsNil == 0 {
		m.Fields = make([]Field, n)
		for k := range m.Fields {
			f := &m.Fields[k]
			f.Name = d.text()
			f.Value = d.text()
			f.Off = int(d.varint())
			f.Len = int(d.varint())
		}
	}
	if flags&coldFill != 0 {
		m.fill = c.fills[d.uvarint()]
	}
	return m
}

// coldReader reads a frozen message's bytes.
type coldReader struct {
	b []byte
	i int
	t *texts
}

func (d *coldReader) uvarint() uint64 {
	v, n := binary.Uvarint(d.b[d.i:])
	d.i += n
	return v
}

func (d *coldReader) varint() int64 {
	v, n := binary.Varint(d.b[d.i:])
	d.i += n
	return v
}

// text reads a text: its number in the table, or itself, pointing into the
// segment.
func (d *coldReader) text() string {
	k := d.uvarint()
	if k&1 == 1 {
		return d.t.list[k>>1]
	}
	n := int(k >> 1)
	if n == 0 {
		return ""
	}
	s := unsafe.String(&d.b[d.i], n)
	d.i += n
	return s
}
