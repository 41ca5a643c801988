package lab

import (
	"cmp"
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

// pubKey is what pairs a delivery with its publication.
type pubKey struct {
	subject string
	digest  uint64
}

// pubRefs is the publications and deliveries of one key held, by their
// events' sequence numbers, in the order they were logged: the bound drops
// from the front. (Numbers, not MsgRefs: the log has the rest, and an index
// without pointers costs the garbage collector nothing to scan.)
type pubRefs struct {
	refs []uint64
	head int // refs[:head] are dropped
}

// followIndex is the hub's index of publications. h.mu guards it.
type followIndex struct {
	byKey map[pubKey]*pubRefs
}

// pubOf returns e's publication key, if e is a message through a broker with a direction.
func pubOf(e *Event) (pubKey, bool) {
	if e.Msg == nil || e.Msg.Pub == nil || (e.Dir != ClientToServer && e.Dir != ServerToClient) {
		return pubKey{}, false
	}
	return pubKey{e.Msg.Pub.Subject, e.Msg.Pub.Digest}, true
}

// add indexes e, just logged, if it carries a publication.
func (x *followIndex) add(e *Event) {
	k, ok := pubOf(e)
	if !ok {
		return
	}
	if x.byKey == nil {
		x.byKey = make(map[pubKey]*pubRefs)
	}
	r := x.byKey[k]
	if r == nil {
		r = &pubRefs{}
		x.byKey[k] = r
	}
	r.refs = append(r.refs, e.Seq)
}

// drop forgets e, which the log is dropping: events go oldest first, so it is
// the first of its key still held.
func (x *followIndex) drop(e *Event) {
	if len(x.byKey) == 0 {
		return // nothing held carries a publication: e's message is not read (cold memory)
	}
	k, ok := pubOf(e)
	if !ok {
		return
	}
	r := x.byKey[k]
	if r == nil || r.head >= len(r.refs) || r.refs[r.head] != e.Seq {
		return
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

// Follow follows the message of event seq in conversation conv through the
// broker. For a publication it returns the publication itself as source and the
// deliveries it made; for a delivery, the publication it came from (a zero
// MsgRef when the hub holds none: dropped by the bound, or not captured) and the
// deliveries of that publication, itself among them (only itself when there is
// no source). Deliveries are in the order they crossed the wire. A message that
// carries no publication, or that the hub no longer holds, has neither.
func (h *Hub) Follow(conv ConvID, seq uint64) (source MsgRef, deliveries []MsgRef) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e, held := h.held(seq)
	if !held {
		return MsgRef{}, nil
	}
	k, ok := pubOf(&e)
	if !ok || e.Conv != conv {
		return MsgRef{}, nil
	}
	r := h.follow.byKey[k]
	if r == nil {
		return MsgRef{}, nil
	}
	refs := make([]MsgRef, 0, len(r.refs)-r.head)
	for _, s := range r.refs[r.head:] {
		if x, held := h.held(s); held {
			refs = append(refs, refOf(&x))
		}
	}
	me := refOf(&e)
	if e.Dir == ServerToClient {
		src, found := sourceOf(refs, me)
		if !found {
			return MsgRef{}, []MsgRef{me}
		}
		return src, deliveriesOf(refs, src)
	}
	return me, deliveriesOf(refs, me)
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
