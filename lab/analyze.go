package lab

import (
	"fmt"
	"time"
)

// Analysis runs off the connection's I/O path: a tap only copies the bytes and
// publishes them (KindData, KindOpen, KindClose), and queues the work for the
// conversation's analyzers. One goroutine per hub, started when work arrives and
// gone when no conversation has any left, feeds each conversation's analyzers in
// order and publishes their messages and state changes, in batches (batchDelay).
// A conversation stays Live until its queue has drained, so a reader that waits for
// the end sees every message.

// maxQueued bounds the bytes waiting for analysis in one conversation; past it the
// tapped connection waits for its analyzers, rather than memory growing without end.
const maxQueued = 8 << 20

// batchDelay is how long work may wait to be analyzed with the work that follows
// it: one wake-up per batch instead of one per read keeps the analysis goroutine off
// a busy connection's back, and is still far quicker than a person can see.
const batchDelay = time.Millisecond

type opKind uint8

const (
	opOpen opKind = iota + 1
	opFeed
	opClose
	opEnd
	opReport
	opHash // bytes past a capture limit, to be hashed (capture.go)
)

// op is one piece of analysis work.
type op struct {
	kind  opKind
	side  Side
	dir   Dir
	b     []byte
	at    time.Time
	open  *OpenInfo  // opOpen
	close *CloseInfo // opClose
	msg   *Message   // opReport
}

// maxSpareOps bounds the spare queue a live conversation keeps between batches.
const maxSpareOps = 256

// enqueue queues o and makes sure a goroutine works on the queue. c.mu must be held.
func (c *Conversation) enqueue(o op) {
	for c.queued > maxQueued && c.working {
		c.drained.Wait()
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
		time.AfterFunc(batchDelay, h.analyzeAll)
	}
	h.anMu.Unlock()
}

func (h *Hub) analyzeAll() {
	for {
		h.anMu.Lock()
		q := h.anQueue
		h.anQueue = nil
		if len(q) == 0 {
			h.anArmed = false
			h.anMu.Unlock()
			return
		}
		h.anMu.Unlock()
		for _, c := range q {
			c.analyze()
		}
	}
}

// analyze works until c's queue is empty. Only the hub's analysis goroutine runs
// it, so the analyzers need no lock of their own.
func (c *Conversation) analyze() {
	c.mu.Lock()
	spare := c.spareOps
	c.spareOps = nil
	c.mu.Unlock()
	for {
		c.mu.Lock()
		ops := c.ops
		if len(ops) == 0 {
			c.working = false
			c.drained.Broadcast()
			if c.live && cap(spare) <= maxSpareOps {
				// The queue's two slices take turns: a busy connection's
				// batches reuse them rather than grow a new one each time.
				c.spareOps = spare[:0]
			}
			c.mu.Unlock()
			return
		}
		c.ops, spare = spare[:0], nil
		c.queued = 0
		c.drained.Broadcast()
		c.mu.Unlock()

		for i := range ops {
			c.run(&ops[i])
			ops[i] = op{}
		}
		spare = ops
	}
}

// run performs one op, publishing what the analyzers made of it.
func (c *Conversation) run(o *op) {
	if o.kind == opHash {
		c.limit.hash(o.dir, o.b)
		return
	}
	if o.kind == opEnd {
		c.mu.Lock()
		ended := c.ending
		if ended && c.limit != nil {
			c.limit.summarize(c)
		}
		if ended {
			c.ending = false
			c.live = false
			c.end = o.at
			c.slab, c.ops = nil, nil // no more bytes come: the spare room goes
			c.countEnded()
		}
		c.mu.Unlock()
		if ended {
			c.hub.notifyConv(c.id)
		}
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
	if o.kind == opOpen {
		c.mu.Lock()
		o.open.ClientInLab = c.attached[SideClient]
		c.mu.Unlock()
	}
	for i, l := range c.layers {
		top := i == len(c.layers)-1
		if l.failed {
			continue
		}
		msgs := c.call(l, func() []Message {
			switch o.kind {
			case opFeed:
				if top {
					return l.a.Feed(o.dir, o.b, o.at)
				}
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
		c.mu.Lock()
		c.emit(l, o.side, msgs, o.at)
		c.mu.Unlock()
	}
}

// call runs an analyzer step; a panicking analyzer is switched off for this
// conversation and the failure is published, so one bad parser never takes the lab down.
func (c *Conversation) call(l *layer, f func() []Message) (msgs []Message) {
	defer func() {
		if r := recover(); r != nil {
			l.failed = true
			msgs = nil
			c.mu.Lock()
			c.publish(Event{Kind: KindError, Layer: l.name, Text: fmt.Sprintf("the %s analyzer failed and is off for this conversation: %v", l.name, r)})
			c.mu.Unlock()
		}
	}()
	return f()
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
			c.drained.Wait()
		}
		c.mu.Unlock()
	}
}
