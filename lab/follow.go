package lab

import (
	"cmp"
	"hash/maphash"
	"slices"
	"time"
)

// Following a message through a broker: the hub indexes every message it holds
// that carries a Publication, by subject and payload digest, so that a
// publication (Dir ClientToServer: a publisher's PUBLISH reaching the broker) can
// be paired with the deliveries (Dir ServerToClient: the broker's MSG or PUBLISH
// to each subscriber) that followed it, whatever their conversations and
// protocols. A delivery comes from the latest publication with its key at or
// before it (by Event.At), so a payload published again starts a new fan-out.
//
// The index lives under the hub's log lock and holds only messages the log
// holds: an entry goes when the bound drops its event, and Clear empties it, so
// it costs a few words per publication held and no more.

// MsgRef names one message the hub holds: its conversation, its event's
// sequence number, when it crossed the wire, its direction and its layer (the
// protocol it was spoken in: "mqtt", "nats").
type MsgRef struct {
	Conv  ConvID
	Seq   uint64
	At    time.Time
	Dir   Dir
	Layer string
}

// pubRefs is the publications and deliveries of one key held, by their
// events' sequence numbers, in the order they were logged: the bound drops
// from the front. (Numbers, not MsgRefs: the log has the rest, and an index
// without pointers costs the garbage collector nothing to scan.) An event
// whose burst holds a key more than once is there once.
type pubRefs struct {
	refs []uint64
	head int // refs[:head] are dropped
}

// followIndex is the hub's index of publications, by key: the hash of a
// publication's subject (seeded anew for each hub) mixed with its payload's
// digest, so that a burst's hundreds of publications of one subject hash
// their subject once. Two publications with one key have one subject and one
// digest, unless the subjects' hashes collide: Follow compares the subjects.
// h.mu guards it.
type followIndex struct {
	seed  maphash.Seed
	byKey map[uint64]*pubRefs
}

// carries returns e's publication, if e is a message through a broker with a direction.
func carries(e *Event) *Publication {
	if e.Msg == nil || e.Msg.Pub == nil || (e.Dir != ClientToServer && e.Dir != ServerToClient) {
		return nil
	}
	return e.Msg.Pub
}

// subject returns the hash of p's subject that its keys mix with their digests.
func (x *followIndex) subject(p *Publication) uint64 {
	if x.byKey == nil {
		x.seed = maphash.MakeSeed()
		x.byKey = make(map[uint64]*pubRefs)
	}
	return maphash.String(x.seed, p.Subject)
}

// add indexes e, just logged, if it carries a publication.
func (x *followIndex) add(e *Event) {
	p := carries(e)
	if p == nil {
		return
	}
	s := x.subject(p)
	for i := range p.Count() {
		k := s ^ p.digest(i)
		r := x.byKey[k]
		if r == nil {
			r = &pubRefs{}
			x.byKey[k] = r
		}
		if n := len(r.refs); n == 0 || r.refs[n-1] != e.Seq {
			r.refs = append(r.refs, e.Seq)
		}
	}
}

// drop forgets e, which the log is dropping: events go oldest first, so it is
// the first of each of its keys still held.
func (x *followIndex) drop(e *Event) {
	if len(x.byKey) == 0 {
		return // nothing held carries a publication: e's message is not read (cold memory)
	}
	p := carries(e)
	if p == nil {
		return
	}
	s := x.subject(p)
	for i := range p.Count() {
		k := s ^ p.digest(i)
		r := x.byKey[k]
		if r == nil || r.head >= len(r.refs) || r.refs[r.head] != e.Seq {
			continue // gone already: the burst held the key before
		}
		r.head++
		switch {
		case r.head == len(r.refs):
			delete(x.byKey, k)
		case r.head > 32 && r.head*2 > len(r.refs):
			// A fresh array, so that a key once busy does not keep its room.
			r.refs, r.head = append(make([]uint64, 0, 2*(len(r.refs)-r.head)), r.refs[r.head:]...), 0
		}
	}
}

// Follow follows the message of event seq in conversation conv through the
// broker. For a publication it returns the publication itself as source and the
// deliveries it made; for a delivery, the publication it came from (none when
// the hub holds none: dropped by the bound, or not captured) and the
// deliveries of that publication, itself among them (only itself when there
// is no source). A burst (Publication.Burst) is followed for each of its
// publications: a burst of deliveries may have come from several bursts
// published, and its sources are all of them. Sources and deliveries are in
// the order they crossed the wire, each once. A message that carries no
// publication, or that the hub no longer holds, has neither.
func (h *Hub) Follow(conv ConvID, seq uint64) (sources, deliveries []MsgRef) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e, held := h.held(seq)
	if !held || e.Conv != conv {
		return nil, nil
	}
	p := carries(&e)
	if p == nil {
		return nil, nil
	}
	me := refOf(&e)
	if e.Dir == ClientToServer {
		sources = []MsgRef{me}
	}
	s := h.follow.subject(p)
	var refs []MsgRef
	done := make(map[uint64]bool, 1)
	for i := range p.Count() {
		k := s ^ p.digest(i)
		if done[k] {
			continue
		}
		done[k] = true
		refs = refs[:0]
		if r := h.follow.byKey[k]; r != nil {
			for _, q := range r.refs[r.head:] {
				if x, held := h.held(q); held && x.Msg.Pub.Subject == p.Subject {
					refs = append(refs, refOf(&x))
				}
			}
		}
		src := me
		if e.Dir == ServerToClient {
			found := false
			if src, found = sourceOf(refs, me); !found {
				deliveries = append(deliveries, me)
				continue
			}
			sources = append(sources, src)
		}
		deliveries = append(deliveries, deliveriesOf(refs, src)...)
	}
	return once(sources), once(deliveries)
}

// once sorts refs by when they crossed the wire and leaves each once.
func once(refs []MsgRef) []MsgRef {
	slices.SortFunc(refs, later)
	return slices.CompactFunc(refs, func(a, b MsgRef) bool { return a.Seq == b.Seq })
}

// refOf names e, a message the hub holds.
func refOf(e *Event) MsgRef {
	return MsgRef{Conv: e.Conv, Seq: e.Seq, At: e.At, Dir: e.Dir, Layer: e.Layer}
}

// later orders messages by when they crossed the wire, then by when they were logged.
func later(a, b MsgRef) int {
	return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Seq, b.Seq))
}

// sourceOf is the publication of refs that delivery d came from: the latest at or before it.
func sourceOf(refs []MsgRef, d MsgRef) (MsgRef, bool) {
	var src MsgRef
	found := false
	for _, p := range refs {
		if p.Dir == ClientToServer && !p.At.After(d.At) && (!found || later(p, src) > 0) {
			src, found = p, true
		}
	}
	return src, found
}

// deliveriesOf is the deliveries of refs that came from publication p: those at
// or after it and before the next publication.
func deliveriesOf(refs []MsgRef, p MsgRef) []MsgRef {
	var next MsgRef
	hasNext := false
	for _, q := range refs {
		if q.Dir == ClientToServer && later(q, p) > 0 && (!hasNext || later(q, next) < 0) {
			next, hasNext = q, true
		}
	}
	var out []MsgRef
	for _, d := range refs {
		if d.Dir == ServerToClient && !d.At.Before(p.At) && (!hasNext || d.At.Before(next.At)) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, later)
	return out
}
