package inspector

import (
	"time"

	"github.com/protocollab/protolab/lab"
)

// chunkSize is the number of events in one chunk of the model's store.
const chunkSize = 4096

// maxPath bounds the state path remembered per conversation and layer; older
// steps are forgotten first.
const maxPath = 512

// Model is the inspector's plain-Go view of the hub: the events it shows, and per
// conversation the indexes of its messages and notes and the path of its states.
// It is fed from a lab.Subscription, appends only, and is bounded like the hub:
// it keeps at most maxBytes worth of events (counted the way the hub counts them)
// and forgets the oldest first.
//
// A Model is used from one goroutine.
type Model struct {
	maxBytes int64
	bytes    int64

	// Events are held in fixed-size chunks, so that growing never copies them all:
	// chunks[0][0] has the absolute index base; first is the oldest held, next the
	// one the next event gets.
	chunks [][]lab.Event
	base   uint64
	first  uint64
	next   uint64

	convs   map[lab.ConvID]*ConvData
	touched map[lab.ConvID]struct{}
	missed  uint64 // events the hub dropped before this model read them
	trimmed uint64 // events this model forgot to stay within its bound
}

// ConvData is what the model holds about one conversation.
type ConvData struct {
	id      lab.ConvID
	start   time.Time // the first event seen
	rows    idxList   // messages, handshake steps, faults and errors: one row and one arrow each
	notes   idxList   // open and close events
	paths   map[string][]string
	lost    int // rows forgotten from the front
	closing *lab.Event
}

// idxList is an append-only list of absolute event indexes, trimmed from the front.
type idxList struct {
	idx  []uint64
	head int
}

func (l *idxList) len() int        { return len(l.idx) - l.head }
func (l *idxList) at(i int) uint64 { return l.idx[l.head+i] }
func (l *idxList) push(a uint64)   { l.idx = append(l.idx, a) }
func (l *idxList) front() (uint64, bool) {
	if l.head < len(l.idx) {
		return l.idx[l.head], true
	}
	return 0, false
}

func (l *idxList) pop() {
	l.head++
	if l.head >= 1024 && l.head*2 > len(l.idx) {
		n := copy(l.idx, l.idx[l.head:])
		l.idx = l.idx[:n]
		l.head = 0
	}
}

// NewModel returns an empty model holding at most maxBytes of events
// (lab.DefaultMaxBytes when maxBytes ≤ 0).
func NewModel(maxBytes int64) *Model {
	if maxBytes <= 0 {
		maxBytes = lab.DefaultMaxBytes
	}
	m := &Model{maxBytes: maxBytes}
	m.Reset()
	return m
}

// Reset forgets everything.
func (m *Model) Reset() {
	m.chunks, m.base, m.first, m.next, m.bytes = nil, 1, 1, 1, 0
	m.convs = make(map[lab.ConvID]*ConvData)
	m.touched = make(map[lab.ConvID]struct{})
	m.missed, m.trimmed = 0, 0
}

// IsRow reports whether an event of kind k is shown as a message (a row in the
// message list and an arrow in the sequence diagram).
func IsRow(k lab.Kind) bool {
	switch k {
	case lab.KindMessage, lab.KindHandshake, lab.KindFault, lab.KindError:
		return true
	}
	return false
}

// Feed adds the events a subscription returned, with the count it said were missed.
// Its cost is proportional to len(evs), plus the events it forgets to stay bounded.
func (m *Model) Feed(evs []lab.Event, missed uint64) {
	m.missed += missed
	for i := range evs {
		e := &evs[i]
		if e.Conv == 0 {
			continue
		}
		switch {
		case IsRow(e.Kind):
			c := m.conv(e)
			c.rows.push(m.keep(e))
		case e.Kind == lab.KindOpen || e.Kind == lab.KindClose:
			c := m.conv(e)
			c.notes.push(m.keep(e))
			if e.Kind == lab.KindClose && c.closing == nil {
				ev := *e
				c.closing = &ev
			}
		case e.Kind == lab.KindState:
			c := m.conv(e)
			p := append(c.paths[e.Layer], e.To)
			if len(p) > maxPath {
				p = append(p[:0:0], p[len(p)-maxPath/2:]...)
			}
			c.paths[e.Layer] = p
		}
	}
	if m.bytes > m.maxBytes {
		m.trim(m.maxBytes - m.maxBytes/8)
	}
}

// conv returns the data for e's conversation, creating it, and marks it touched.
func (m *Model) conv(e *lab.Event) *ConvData {
	c := m.convs[e.Conv]
	if c == nil {
		c = &ConvData{id: e.Conv, start: e.At, paths: make(map[string][]string)}
		m.convs[e.Conv] = c
	}
	m.touched[e.Conv] = struct{}{}
	return c
}

// keep stores e and returns its absolute index.
func (m *Model) keep(e *lab.Event) uint64 {
	if n := len(m.chunks); n == 0 || len(m.chunks[n-1]) == chunkSize {
		m.chunks = append(m.chunks, make([]lab.Event, 0, chunkSize))
	}
	last := &m.chunks[len(m.chunks)-1]
	*last = append(*last, *e)
	m.bytes += e.Cost()
	m.next++
	return m.next - 1
}

// trim forgets the oldest events until at most target bytes are held. It drops
// down to below the bound, not just to it, so that views rebuilding after a loss
// at the front do so rarely.
func (m *Model) trim(target int64) {
	for m.bytes > target && m.first < m.next {
		a := m.first
		e := m.event(a)
		if c := m.convs[e.Conv]; c != nil {
			if f, ok := c.rows.front(); ok && f == a {
				c.rows.pop()
				c.lost++
				m.touched[c.id] = struct{}{}
			} else if f, ok := c.notes.front(); ok && f == a {
				c.notes.pop()
			}
			if c.rows.len() == 0 && c.notes.len() == 0 {
				delete(m.convs, c.id)
			}
		}
		m.bytes -= e.Cost()
		*e = lab.Event{}
		m.first++
		m.trimmed++
		if m.first-m.base == chunkSize {
			m.chunks[0] = nil
			m.chunks = m.chunks[1:]
			m.base += chunkSize
		}
	}
}

// event returns the held event with absolute index a.
func (m *Model) event(a uint64) *lab.Event {
	off := a - m.base
	return &m.chunks[off/chunkSize][off%chunkSize]
}

// Conv returns what the model holds about conversation id, or nil.
func (m *Model) Conv(id lab.ConvID) *ConvData { return m.convs[id] }

// Row returns row i (0 is the oldest held) of conversation c.
func (m *Model) Row(c *ConvData, i int) lab.Event { return *m.event(c.rows.at(i)) }

// Notes returns c's open and close events held, oldest first.
func (m *Model) Notes(c *ConvData) []lab.Event {
	out := make([]lab.Event, 0, c.notes.len())
	for i := 0; i < c.notes.len(); i++ {
		out = append(out, *m.event(c.notes.at(i)))
	}
	return out
}

// TakeTouched returns the conversations that gained or lost rows, notes or states
// since the last call, and forgets them.
func (m *Model) TakeTouched() map[lab.ConvID]struct{} {
	t := m.touched
	if len(t) > 0 {
		m.touched = make(map[lab.ConvID]struct{})
	}
	return t
}

// Dropped is how many events the model no longer has: dropped by the hub's
// bound before they were read, or forgotten to stay within its own.
func (m *Model) Dropped() uint64 { return m.missed + m.trimmed }

// Missed is how many events the hub dropped before the model read them.
func (m *Model) Missed() uint64 { return m.missed }

// Bytes is the cost of the events held, counted against the bound.
func (m *Model) Bytes() int64 { return m.bytes }

// Len is the number of rows held.
func (c *ConvData) Len() int { return c.rows.len() }

// Lost is the number of rows forgotten from the front: row i now was row i+Lost once.
func (c *ConvData) Lost() int { return c.lost }

// Start is the time of the first event seen of the conversation.
func (c *ConvData) Start() time.Time { return c.start }

// Path is the states layer went through, oldest first (at most the last few hundred).
func (c *ConvData) Path(layer string) []string { return c.paths[layer] }

// Closing is the first close event seen (FIN, RST or idle), or nil.
func (c *ConvData) Closing() *lab.Event { return c.closing }
