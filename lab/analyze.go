package lab

import (
	"fmt"
	"sync"
	"time"
	"unsafe"
)

// Analysis runs off the connection's I/O path: a tap only copies the bytes and
// queues them, with what it saw of the connection (its open, its close, an
// error), as work for the conversation's analyzers. One goroutine per hub,
// started when work arrives and gone when no conversation has any left,
// publishes each piece of work's event (KindData, KindOpen, KindClose, ...) and
// feeds the analyzers, publishing their messages and state changes with it, in
// batches (batchDelay). So a tapped read or write costs a copy and a queue
// entry, and the hub's lock is taken once for the bytes and what they meant,
// off the connection's back. Across conversations the work of a batch is
// published in the order it was seen (op.at), so the log keeps the taps'
// order, though run conversation by conversation (merge); within one, it is
// run and published in the order it was queued. (A conversation no analyzer
// reads has its events published by its taps at once, note.) A conversation
// stays Live until its queue has drained, so a reader that waits for the end
// sees every message.

// maxQueued bounds the bytes waiting for analysis in one conversation; past it the
// tapped connection waits for its analyzers, rather than memory growing without end.
const maxQueued = 8 << 20

// batchDelay is how long work may wait to be analyzed with the work that follows
// it: one wake-up per batch instead of one per read keeps the analysis goroutine off
// a busy connection's back, and is still far quicker than a person can see. A
// longer batch gives each conversation more ops in a chunk (merge): a WebSocket
// echo over 50 connections costs 2.1 µs of analysis a message at 4 ms, 2.4 at 1.
// After bulk bytes (the analysis until idle took bulkBytes or more, or ops of
// bulkOp bytes or more on average: a file, a data channel's transfer), the next
// batch waits bulkDelay: their bytes are analyzed while the tap's copy of them
// may still be in the cache, and never wait long with the room to their bound
// (maxQueued) filling.
const (
	batchDelay = 4 * time.Millisecond
	bulkDelay  = time.Millisecond
	bulkBytes  = 1 << 20
	bulkOp     = 1 << 10
)

type opKind uint8

const (
	opOpen  opKind = iota + 1
	opData         // bytes a tap saw: their KindData event, and the analyzers' feed when op.feed
	opEvent        // an event a tap recorded (op.ev)
	opClose
	opEnd
	opReport
)

// op is one piece of analysis work.
type op struct {
	kind   opKind
	side   Side
	dir    Dir
	feed   bool // opData: the analyzers read these bytes (the direction's source)
	quiet  bool // opData, opOpen, opClose: seen while capture was paused, so not published
	shared bool // opData: b is another tap's copy, counted with its event (share)
	b      []byte
	home   unsafe.Pointer // opData: where b's allocation begins (Event.home)
	at     time.Time
	open   *OpenInfo  // opOpen
	close  *CloseInfo // opClose
	msg    *Message   // opReport
	ev     *Event     // opEvent
	end    int        // how many events the round's chunk had given when it ran (runChunk)
}

// maxSpareOps bounds the spare queue a live conversation keeps between batches:
// room for a batch of a flow of a few hundred thousand datagrams a second (352
// KiB), so that its queue does not grow anew, copying its ops, at every batch.
// Only a conversation whose batches were that long keeps that much.
const maxSpareOps = 4096

// Op queues lent from one conversation to the next: a short conversation (a
// DNS query: its open, two datagrams, its close; a short HTTP connection)
// would otherwise grow a queue from nothing, 1, 2, 4, 8 ops, and drop it when
// it ends, at every new conversation. The hub keeps at most opsFreeMax queues
// of opsLent ops or fewer, and a new queue has room for opsLent.
const (
	opsLent    = 8
	opsFreeMax = 256
)

// lendOps returns an empty op queue: one an ended conversation gave back, or a new one.
func (h *Hub) lendOps() []op {
	select {
	case q := <-h.opsFree:
		return q
	default:
		return make([]op, 0, opsLent)
	}
}

// returnOps takes back q, an op queue nobody uses any more, already cleared,
// if it is small enough to lend again.
func (h *Hub) returnOps(q []op) {
	if cap(q) == 0 || cap(q) > opsLent {
		return
	}
	select {
	case h.opsFree <- q[:0]:
	default:
	}
}

// enqueue queues o and makes sure a goroutine works on the queue. c.mu must be held.
func (c *Conversation) enqueue(o op) {
	for c.queued > maxQueued && c.working {
		c.waitDrained()
	}
	if c.ops == nil {
		c.ops = c.hub.lendOps()
	}
	c.ops = append(c.ops, o)
	c.queued += len(o.b)
	if !c.working {
		c.working = true
		c.hub.schedule(c)
	}
}

// schedule queues c for the hub's analysis goroutine, which starts batchDelay after
// the first work arrives and runs until no conversation has work left. One goroutine
// for the whole hub keeps wake-ups few however many connections are busy.
func (h *Hub) schedule(c *Conversation) {
	h.anMu.Lock()
	h.anQueue = append(h.anQueue, c)
	if !h.anArmed {
		h.anArmed = true
		delay := batchDelay
		if h.anBulk {
			delay = bulkDelay
		}
		time.AfterFunc(delay, h.analyzeAll)
	}
	h.anMu.Unlock()
}

func (h *Hub) analyzeAll() {
	var round []*Conversation
	for {
		h.anMu.Lock()
		round = append(round, h.anQueue...)
		clear(h.anQueue)
		h.anQueue = h.anQueue[:0]
		if len(round) == 0 {
			h.anArmed = false
			h.anBulk = h.anBytes >= bulkBytes || h.anBytes >= bulkOp*h.anOps
			h.anBytes, h.anOps = 0, 0
			h.anMu.Unlock()
			return
		}
		h.anMu.Unlock()
		round = h.analyzeRound(round)
	}
}

// work is one conversation's queue taken for a round of analysis.
type work struct {
	c     *Conversation
	ops   []op
	i     int // the next op to run
	order int // its place in the round, for ops seen at the same time
	// key is when ops[i] was seen, as time since the round's first op
	// (mergeOps): the heap compares numbers, not times in their ops.
	key time.Duration
	// Within a chunk (runChunk): its ops not run yet, the next to publish,
	// where that op's events begin among those the chunk gave, and how far
	// its newest event reaches among those published.
	n, pub, from, last int
}

// analyzeRound runs the work queued in each conversation of cs, the earliest
// first across them, and returns those that have more (cs's array reused).
func (h *Hub) analyzeRound(cs []*Conversation) []*Conversation {
	ws := h.anWork[:0]
	for k, c := range cs {
		ws = append(ws, work{c: c, ops: c.take(), order: k})
	}
	h.merge(ws)
	more := cs[:0]
	for i := range ws {
		if ws[i].c.finish(ws[i].ops) {
			more = append(more, ws[i].c)
		}
		ws[i] = work{}
	}
	clear(cs[len(more):])
	h.anWork = ws[:0]
	return more
}

// maxChunk bounds the ops of a round run before what they gave is published.
// A chunk whose ops gave more events than the analysis keeps room for
// (keptEmitted: a broker's reads of hundreds of deliveries each) makes the
// next chunks take fewer ops, so that their events fit that room rather
// than grow a slice anew, chunk after chunk; chunks that gave few take more
// again.
const maxChunk = 512

// merge runs the ops of ws, each conversation's in its order, and publishes
// what they gave in the order the ops were seen across conversations (op.at):
// the log keeps the taps' order. It takes them in chunks of that order, and
// runs a chunk's ops conversation by conversation: a busy round's
// conversations take turns at every op, and each one's analyzers and state
// stay in the core's cache through its ops when run together (a WebSocket
// echo over 50 connections: 2.6 → 2.4 µs of analysis a message, with the
// batches of 1 ms it had then).
func (h *Hub) merge(ws []work) {
	order := h.anOrder[:0]
	mergeOps(ws, &h.anHeap, func(w *work) { order = append(order, w) })
	for i := range ws {
		ws[i].i = 0 // mergeOps took each queue to its end; runChunk runs them from the start
	}
	for part := order; len(part) > 0; {
		if h.anChunk == 0 {
			h.anChunk = maxChunk
		}
		k := min(len(part), h.anChunk)
		h.anChunk = nextChunk(h.anChunk, k, h.runChunk(part[:k]))
		part = part[k:]
	}
	clear(order)
	h.anOrder = order[:0]
}

// nextChunk returns how many ops the chunk after one of k ops that gave
// events takes, when chunks take size.
func nextChunk(size, k, events int) int {
	switch {
	case events > keptEmitted:
		return max(1, k*keptEmitted/(2*events))
	case events < keptEmitted/4:
		return min(maxChunk, max(size, 2*k))
	}
	return size
}

// runChunk runs the ops of part, the next ops of a round in the order they
// were seen (each entry the queue of its op), and publishes their events in
// that order: an op's events together, as it gave them. It returns how many
// events they gave.
func (h *Hub) runChunk(part []*work) int {
	for _, w := range part {
		w.n++
	}
	for _, w := range part {
		if w.n == 0 {
			continue // run already, with its conversation's first op in part
		}
		w.pub, w.from, w.last = w.i, len(h.emitted), 0
		for end := w.i + w.n; w.i < end; w.i++ {
			o := &w.ops[w.i]
			w.c.run(o)
			o.end = len(h.emitted)
			h.anBytes += len(o.b)
			h.anOps++
		}
		w.n = 0
	}
	spans, n := h.anSpans[:0], 0
	for _, w := range part {
		to := w.ops[w.pub].end
		if to > w.from {
			spans = append(spans, span{w.from, to})
			n += to - w.from
			w.last = n
		}
		w.from = to
		w.pub++
	}
	if last := h.publishSpans(h.emitted, spans); last != 0 {
		// The events have the numbers up to last, one after another.
		for _, w := range part {
			if w.last > 0 {
				w.c.lastSeq.Store(last - uint64(n-w.last))
				w.last = 0
			}
		}
	}
	events := len(h.emitted)
	h.emitted = reuse(h.emitted)
	h.anSpans = spans[:0]
	// What the chunk gave is in the log before its conversations are seen
	// to end: a reader that waits for the end finds every message.
	for i, c := range h.anEnds {
		c.ended()
		h.anEnds[i] = nil
	}
	h.anEnds = h.anEnds[:0]
	return events
}

// reuse empties evs for the next chunk, keeping its room up to
// maxKeptEmitted events; past that, the next chunk gets room for keptEmitted.
func reuse(evs []Event) []Event {
	clear(evs)
	if cap(evs) > maxKeptEmitted {
		return make([]Event, 0, keptEmitted)
	}
	return evs[:0]
}

// mergeOps calls run for each op of ws (w.ops[w.i]), the earliest seen
// first, each queue's in its order, through a heap of the queues, so a busy
// round (a thousand connections at once) costs n log n, not the square. q is
// room for the heap, kept between rounds.
func mergeOps(ws []work, q *workHeap, run func(*work)) {
	h := (*q)[:0]
	// Every op's time as a duration from one of them: Sub compares as
	// Before does (by the monotonic clock when both times have it).
	var base time.Time
	for k := range ws {
		w := &ws[k]
		if len(w.ops) > w.i {
			if len(h) == 0 {
				base = w.ops[w.i].at
			}
			w.key = w.ops[w.i].at.Sub(base)
			h = append(h, w)
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
	for len(h) > 0 {
		w := h[0]
		run(w)
		if w.i++; w.i < len(w.ops) {
			// Only the root's key changes, so it need only go down.
			w.key = w.ops[w.i].at.Sub(base)
		} else {
			last := len(h) - 1
			h[0], h[last] = h[last], nil
			h = h[:last]
		}
		if len(h) > 0 {
			h.down(0)
		}
	}
	*q = h
}

// workHeap is a heap of queues by the time their next op was seen (key),
// the first queued first among equals.
type workHeap []*work

func (a *work) before(b *work) bool {
	return a.key < b.key || (a.key == b.key && a.order < b.order)
}

// down moves q[i] down to its place.
func (q workHeap) down(i int) {
	w := q[i]
	for {
		c := 2*i + 1
		if c >= len(q) {
			break
		}
		if r := c + 1; r < len(q) && q[r].before(q[c]) {
			c = r
		}
		if !q[c].before(w) {
			break
		}
		q[i] = q[c]
		i = c
	}
	q[i] = w
}

// take hands c's queued work to the analysis goroutine, leaving its spare
// queue to the taps.
func (c *Conversation) take() []op {
	c.mu.Lock()
	defer c.mu.Unlock()
	ops := c.ops
	c.ops, c.spareOps = c.spareOps[:0], nil
	c.queued = 0
	c.wakeDrained()
	return ops
}

// finish takes back the queue the analysis goroutine worked through, and
// reports whether more work came meanwhile; if none, c is no longer worked on.
func (c *Conversation) finish(done []op) (more bool) {
	clear(done)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.live && cap(done) <= maxSpareOps && c.spareOps == nil {
		// The queue's two slices take turns: a busy connection's batches
		// reuse them rather than grow a new one each time.
		c.spareOps = done[:0]
	} else {
		c.hub.returnOps(done)
	}
	if len(c.ops) > 0 {
		return true
	}
	c.working = false
	c.wakeDrained()
	return false
}

// ended ends c, whose taps have all closed and whose events are all in the
// log (runChunk), unless a tap joined it meanwhile.
func (c *Conversation) ended() {
	c.mu.Lock()
	ended := c.ending
	at := c.endAt
	c.endAt = time.Time{}
	if ended {
		c.ending = false
		c.live = false
		c.end = at
		if len(c.ops) == 0 {
			// No more bytes come: the spare room goes. (Work a tap queued
			// while this chunk ran stays, for finish to find and run.)
			c.hub.returnOps(c.ops) // (its spare queue is the one being run: finish takes it)
			c.ops = nil
		}
		c.slab = nil
		c.pair = nil
		c.echo = [3]sent{}
		c.countEnded()
	}
	c.mu.Unlock()
	if ended {
		c.hub.notifyConv(c.id)
	}
}

// run performs one op, gathering what the analyzers made of it.
func (c *Conversation) run(o *op) {
	switch o.kind {
	case opEvent:
		c.publish(*o.ev)
		return
	case opData:
		if !o.quiet {
			// Into the chunk's events (runChunk), the analysis goroutine's own: no
			// lock to take.
			e := c.gather()
			e.At, e.Kind, e.Dir, e.Side, e.Layer, e.Data, e.shared, e.home = o.at, KindData, o.dir, o.side, c.key.transport, o.b, o.shared, o.home
		}
		if !o.feed {
			return
		}
		c.feed(o)
		return
	}
	if o.kind == opEnd {
		c.mu.Lock()
		if c.ending && c.endAt.IsZero() {
			if c.limit != nil {
				c.limit.summarize(c)
			}
			c.endAt = o.at
			c.hub.anEnds = append(c.hub.anEnds, c) // ended once the chunk is published (runChunk)
		}
		c.mu.Unlock()
		return
	}
	if o.kind == opReport {
		c.mu.Lock()
		if n := len(c.layers); n > 0 {
			c.emit(c.layers[n-1], o.side, []Message{*o.msg}, o.at)
		}
		c.mu.Unlock()
		return
	}
	if !o.quiet {
		// The step's own event comes before what the analyzers make of it.
		c.publish(c.stepEvent(o))
	}
	if o.kind == opOpen {
		c.mu.Lock()
		o.open.ClientInLab = c.attached[SideClient]
		c.mu.Unlock()
	}
	// An open or a close: every layer's analyzer runs, and then what they
	// made is published in layer order under one lock, which the taps
	// contend for. Reading c.layers without the lock, and indexing it again
	// under the lock, is sound because a conversation's layers are fixed
	// when it is made (Hub.attach, conv.go) and only this goroutine changes
	// l.failed.
	var outs [4]layerOut
	out := outs[:0]
	for _, l := range c.layers {
		if l.failed {
			out = append(out, layerOut{skip: true})
			continue
		}
		msgs, failure := c.call(l, func() []Message {
			switch o.kind {
			case opOpen:
				if ca, ok := l.a.(ConnAnalyzer); ok {
					return ca.Opened(*o.open)
				}
			case opClose:
				if ca, ok := l.a.(ConnAnalyzer); ok {
					return ca.Closed(*o.close)
				}
			}
			return nil
		})
		out = append(out, layerOut{msgs: msgs, failure: failure})
	}
	c.mu.Lock()
	for i, r := range out {
		l := c.layers[i]
		switch {
		case r.skip:
		case r.failure != "":
			c.publish(Event{Kind: KindError, Layer: l.name, Text: r.failure})
		default:
			c.emit(l, o.side, r.msgs, o.at)
		}
	}
	c.mu.Unlock()
}

// feed runs the bytes of data op o through the top layer's analyzer, the one
// that reads them, and publishes what it made. The layers beneath it (TCP's)
// see the connection's open and close, not its bytes, so their states stay
// as they are.
func (c *Conversation) feed(o *op) {
	l := c.layers[len(c.layers)-1] // a conversation with no layer queues no data (data)
	if l.failed {
		return
	}
	msgs, failure := c.call(l, func() []Message { return l.a.Feed(o.dir, o.b, o.at) })
	c.mu.Lock()
	if failure != "" {
		c.publish(Event{Kind: KindError, Layer: l.name, Text: failure})
	} else {
		c.emit(l, o.side, msgs, o.at)
	}
	c.mu.Unlock()
}

// layerOut is what one layer's analyzer made of an op (run).
type layerOut struct {
	msgs    []Message
	failure string // the analyzer panicked: what to say
	skip    bool   // the analyzer was off already
}

// call runs an analyzer step; a panicking analyzer is switched off for this
// conversation and what to say of it is returned, so one bad parser never
// takes the lab down.
func (c *Conversation) call(l *layer, f func() []Message) (msgs []Message, failure string) {
	defer func() {
		if r := recover(); r != nil {
			l.failed = true
			msgs, failure = nil, fmt.Sprintf("the %s analyzer failed and is off for this conversation: %v", l.name, r)
		}
	}()
	return f(), ""
}

// Settle waits until every conversation's analysis has caught up with what its
// taps have seen so far: then every message and state change of the bytes already
// exchanged is in the log.
func (h *Hub) Settle() {
	h.convMu.Lock()
	list := append([]*Conversation(nil), h.order...)
	h.convMu.Unlock()
	for _, c := range list {
		c.mu.Lock()
		for c.working {
			c.waitDrained()
		}
		c.mu.Unlock()
	}
}

// waitDrained waits until the analysis takes c's queued work or finishes it.
// c.mu must be held. The condition is made by the first wait: most
// conversations never have one.
func (c *Conversation) waitDrained() {
	if c.drained == nil {
		c.drained = sync.NewCond(&c.mu)
	}
	c.drained.Wait()
}

// wakeDrained wakes the waits of waitDrained. c.mu must be held.
func (c *Conversation) wakeDrained() {
	if c.drained != nil {
		c.drained.Broadcast()
	}
}
