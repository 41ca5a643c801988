package lab

import (
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMaxBytes is the Hub's bound when HubOptions.MaxBytes is zero.
const DefaultMaxBytes = 64 << 20

// DefaultFlowIdle is how long a UDP flow may be silent before the next datagram
// starts a new conversation, when HubOptions.FlowIdle is zero.
const DefaultFlowIdle = 30 * time.Second

// DefaultMaxConversations bounds how many conversations the Hub remembers when
// HubOptions.MaxConversations is zero; the oldest ended ones are forgotten first.
const DefaultMaxConversations = 100_000

// HubOptions configures a Hub. The zero value is ready to use.
type HubOptions struct {
	// MaxBytes bounds the events kept, counting each event's payload and a fixed
	// overhead. Zero means DefaultMaxBytes. The oldest events are dropped first.
	MaxBytes int64
	// MaxConversations bounds the conversations remembered. Zero means DefaultMaxConversations.
	MaxConversations int
	// FlowIdle is the UDP flow idle window. Zero means DefaultFlowIdle.
	FlowIdle time.Duration
	// Registry finds a protocol's transport (its lower layer's analyzer). May be nil.
	Registry *Registry
}

// Hub is the lab's one log of events: taps publish, readers subscribe.
//
// Publish never blocks on a reader: the log is a bounded queue, and a reader that
// falls behind by more than the bound skips what was dropped and is told how many
// events it missed. All methods are safe for concurrent use. Beside the log it
// indexes the publications it holds, so that Follow can follow a message
// through a broker (follow.go).
//
// The hub has four locks: convMu guards the conversation table, and is taken
// before a Conversation's own lock; mu guards the event log and the
// subscriptions, and is taken under a Conversation's lock, never the other way;
// anMu (the analysis queue) and onConvMu (the OnConversation callbacks) are
// leaves. The package's doc lists the lab's locks in the order they are taken.
type Hub struct {
	opts HubOptions
	keys KeyLog

	mu      sync.Mutex // guards the log (log to dropped, follow) and subs
	log     eventLog
	bytes   int64
	seq     uint64 // last assigned
	dropped uint64 // events dropped by the bound since the hub began or was cleared
	subs    []*Subscription
	keeping int // subscriptions that keep what the bound drops (Keep)
	paused  atomic.Bool
	follow  followIndex // the publications held, to follow through a broker (follow.go)

	convMu    sync.Mutex // guards convSeq, convs, order and byKey; taken before a Conversation's mu
	convSeq   ConvID
	convs     map[ConvID]*Conversation
	order     []*Conversation // in creation order
	byKey     map[convKey]*Conversation
	sinceTrim int                          // new conversations since trimConvsLocked last looked
	trimFirst uint64                       // firstHeld when trimConvsLocked last looked
	listening map[netip.AddrPort]*Protocol // tapped TCP listeners' addresses, and their protocols (listen.go)

	endedBytes atomic.Int64  // the cost of the ended conversations remembered (conv.go, convCost)
	firstHeld  atomic.Uint64 // the sequence number of the oldest event held (storeFirstLocked)
	newest     atomic.Uint64 // the sequence number of the newest event published, as of its batch (storeFirstLocked)
	firstMoved bool          // dropping moved the log's start since firstHeld was stored; guarded by mu
	onConv     []func(ConvID)
	onConvMu   sync.Mutex // guards onConv; the callbacks run after it is released

	anMu    sync.Mutex      // guards the analysis queue (analyze.go)
	anQueue []*Conversation // conversations with analysis work
	anArmed bool            // the analysis goroutine is scheduled or running
	anBulk  bool            // its last run until idle analyzed bulk bytes (batchDelay)
	anBytes int             // the bytes and ops it analyzed since it started: its own until idle, then under anMu
	anOps   int
	// The analysis goroutine's own (analyze.go): the events a chunk's ops
	// gave, in the order they ran, and each op's, in the order published; a
	// round's queues, their merge and the order of their ops; the
	// conversations a chunk ended; how many ops the next chunk takes (0:
	// maxChunk).
	emitted []Event
	anChunk int
	anSpans []span
	anWork  []work
	opsFree chan []op // ended conversations' op queues, for new ones (lendOps)
	anHeap  workHeap
	anOrder []*work
	anEnds  []*Conversation
}

// NewHub returns an empty hub.
func NewHub(opts HubOptions) *Hub {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.MaxConversations <= 0 {
		opts.MaxConversations = DefaultMaxConversations
	}
	if opts.FlowIdle <= 0 {
		opts.FlowIdle = DefaultFlowIdle
	}
	h := &Hub{
		log:     eventLog{hot: coldAfter},
		opts:    opts,
		convs:   make(map[ConvID]*Conversation),
		byKey:   make(map[convKey]*Conversation),
		opsFree: make(chan []op, opsFreeMax),
	}
	// The first event is number 1: a conversation that ended with none
	// (capture paused) holds nothing in the log, and is forgotten.
	h.firstHeld.Store(1)
	return h
}

// Options returns the options the hub runs with (defaults filled in).
func (h *Hub) Options() HubOptions { return h.opts }

// Keys returns the hub's TLS key log: give it to every lab tls.Config as its
// KeyLogWriter, so that the TLS analyzer can decrypt what the taps saw.
func (h *Hub) Keys() *KeyLog { return &h.keys }

// Registry returns the hub's protocol registry (may be nil).
func (h *Hub) Registry() *Registry { return h.opts.Registry }

// SetPaused stops (true) or resumes (false) recording events. While paused,
// conversations are still tracked and counted, but no events are kept.
func (h *Hub) SetPaused(p bool) { h.paused.Store(p) }

// Paused reports whether capture is paused.
func (h *Hub) Paused() bool { return h.paused.Load() }

// Publish appends e to the log, assigning its sequence number (and its time, if
// zero), and wakes subscribers. It returns the sequence number, or 0 when capture
// is paused.
func (h *Hub) Publish(e Event) uint64 {
	if h.paused.Load() {
		return 0
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	h.mu.Lock()
	seq := h.appendLocked(&e)
	h.storeFirstLocked()
	h.wakeLocked()
	h.mu.Unlock()
	return seq
}

// PublishAll publishes evs in order, as Publish does each, under one lock
// and with one wake-up of the subscribers, giving each its sequence number
// (and time, if zero) in place. It returns the last sequence number given, 0
// when capture is paused.
func (h *Hub) PublishAll(evs []Event) (last uint64) {
	if len(evs) == 0 {
		return 0
	}
	all := [1]span{{0, len(evs)}}
	return h.publishSpans(evs, all[:])
}

// span is a run of events, evs[from:to] of the events given to
// publishSpans.
type span struct{ from, to int }

// publishSpans is PublishAll of the events of evs in spans, one span after
// another: the analysis publishes the events of a chunk's ops in the order
// the ops were seen, from where it gathered them in the order they ran
// (runChunk), without moving them.
func (h *Hub) publishSpans(evs []Event, spans []span) (last uint64) {
	if len(spans) == 0 || h.paused.Load() {
		return 0
	}
	var now time.Time
	h.mu.Lock()
	for _, sp := range spans {
		for i := sp.from; i < sp.to; i++ {
			e := &evs[i] // numbered in place: an event is not copied on its way in
			if e.At.IsZero() {
				if now.IsZero() {
					now = time.Now()
				}
				e.At = now
			}
			last = h.appendLocked(e)
		}
	}
	h.storeFirstLocked()
	h.wakeLocked()
	h.mu.Unlock()
	return last
}

// appendLocked gives e the next sequence number and adds it to the log, dropping
// the oldest events past the bound. h.mu must be held.
func (h *Hub) appendLocked(e *Event) uint64 {
	size := e.size()
	e.cost = int32(min(size, 1<<31-1))
	h.log.readTo = h.readToLocked()
	h.seq++
	e.Seq = h.seq
	h.log.push(e)
	h.follow.add(e)
	h.bytes += size
	h.dropOverLocked()
	return e.Seq
}

// dropOverLocked drops the oldest events while the log and the ended
// conversations together are past the bound (the newest event stays). h.mu
// must be held, and the log not empty.
func (h *Hub) dropOverLocked() {
	for h.bytes+h.endedBytes.Load() > h.opts.MaxBytes && h.log.len() > 1 {
		head, ref, c := h.log.place(0)
		// A frozen message carries no publication (eventcold.go): it is made
		// anew only for a subscription that keeps what is dropped.
		if h.keeping > 0 || len(h.follow.byKey) > 0 && !head.frozen() {
			first := h.log.event(head, ref, c)
			if h.keeping > 0 {
				for _, s := range h.subs {
					s.setAside(&first)
				}
			}
			h.follow.drop(&first)
		}
		h.bytes -= int64(head.cost)
		h.log.popFront()
		h.dropped++
		h.firstMoved = true
	}
}

// storeFirstLocked tells readers without h.mu where the log begins
// (firstHeld), if dropping moved it, and where it ends (newest): once a
// batch, not at every event, as an atomic store waits for every write before
// it to land. h.mu must be held.
func (h *Hub) storeFirstLocked() {
	h.newest.Store(h.seq)
	if h.firstMoved && h.log.len() > 0 {
		h.firstHeld.Store(h.log.seq(0))
	}
	h.firstMoved = false
}

// ended counts one more ended conversation against the bound, dropping the
// oldest events it leaves no room for.
func (h *Hub) ended() {
	h.mu.Lock()
	h.endedBytes.Add(convCost)
	if h.log.len() > 0 {
		h.dropOverLocked()
		h.storeFirstLocked()
	}
	h.mu.Unlock()
}

// readToLocked returns the sequence number of the oldest event a
// subscription has yet to read (the newest logged and one more, with none).
// h.mu must be held.
func (h *Hub) readToLocked() uint64 {
	to := h.seq + 1
	for _, s := range h.subs {
		to = min(to, s.next)
	}
	return to
}

// wakeLocked tells every subscriber there is news. h.mu must be held.
func (h *Hub) wakeLocked() {
	for _, s := range h.subs {
		select {
		case s.ch <- struct{}{}:
		default:
		}
	}
}

// Stats describes the log.
type Stats struct {
	Events    int    // events held
	Bytes     int64  // their cost against the bound
	MaxBytes  int64  // the bound
	LastSeq   uint64 // the newest sequence number assigned
	FirstSeq  uint64 // the oldest sequence number held (0 if none)
	Dropped   uint64 // events dropped by the bound since the hub began or was last cleared
	Paused    bool
	Convs     int   // conversations remembered
	LiveConvs int   // of which live
	ConvBytes int64 // the cost of the ended ones, counted against the bound with Bytes
}

// Stats returns a snapshot of the log's size.
func (h *Hub) Stats() Stats {
	h.mu.Lock()
	s := Stats{
		Events:   h.log.len(),
		Bytes:    h.bytes,
		MaxBytes: h.opts.MaxBytes,
		LastSeq:  h.seq,
		Dropped:  h.dropped,
		Paused:   h.paused.Load(),
	}
	s.ConvBytes = h.endedBytes.Load()
	if s.Events > 0 {
		s.FirstSeq = h.log.seq(0)
	}
	h.mu.Unlock()
	h.convMu.Lock()
	s.Convs = len(h.order)
	for _, c := range h.order {
		if c.Live() {
			s.LiveConvs++
		}
	}
	h.convMu.Unlock()
	return s
}

// Events returns a copy of the events held with sequence numbers ≥ from
// (all of them for from ≤ 1).
func (h *Hub) Events(from uint64) []Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.appendSince(nil, from, -1)
}

// ConvEvents returns the events held for one conversation, oldest first.
func (h *Hub) ConvEvents(id ConvID) []Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []Event
	for i := range h.log.len() {
		if head, ref, c := h.log.place(i); head.conv == id {
			out = append(out, h.log.event(head, ref, c))
		}
	}
	return out
}

// appendSince appends to out copies of the held events from seq from on, at
// most max (max < 0: all). h.mu must be held.
func (h *Hub) appendSince(out []Event, from uint64, max int) []Event {
	n := h.log.len()
	if n == 0 {
		return out
	}
	first := h.log.seq(0)
	if from < first {
		from = first
	}
	if from > h.seq {
		return out
	}
	i := int(from - first)
	j := n
	if max >= 0 && j-i > max {
		j = i + max
	}
	return h.log.appendRange(out, i, j)
}

// held returns the event with sequence number seq, if the log holds it.
// h.mu must be held.
func (h *Hub) held(seq uint64) (Event, bool) {
	if h.log.len() == 0 {
		return Event{}, false
	}
	first := h.log.seq(0)
	if seq < first || seq > h.seq {
		return Event{}, false
	}
	return h.log.at(int(seq - first)), true
}

// Clear forgets every event and every ended conversation, and the count of
// events dropped by the bound: a new capture begins. Live conversations stay.
func (h *Hub) Clear() {
	h.mu.Lock()
	h.dropped = 0 // what is cleared was not dropped, and what was dropped is gone too
	if h.keeping > 0 {
		// A recording keeps what happened, shown or not.
		for i := range h.log.len() {
			e := h.log.at(i)
			for _, s := range h.subs {
				s.setAside(&e)
			}
		}
	}
	h.log.reset()
	h.bytes = 0
	h.firstHeld.Store(h.seq + 1) // nothing is held
	h.firstMoved = false
	h.follow = followIndex{}
	for _, s := range h.subs {
		select {
		case s.ch <- struct{}{}:
		default:
		}
	}
	h.mu.Unlock()

	h.convMu.Lock()
	kept := h.order[:0]
	for _, c := range h.order {
		c.mu.Lock()
		live := c.liveLocked(time.Now())
		if !live {
			c.uncount()
		}
		c.mu.Unlock()
		if live {
			kept = append(kept, c)
		} else {
			delete(h.convs, c.id)
			if h.byKey[c.key] == c {
				delete(h.byKey, c.key)
			}
		}
	}
	clear(h.order[len(kept):])
	h.order = kept
	h.convMu.Unlock()
	h.notifyConv(0)
}

// OnConversation registers f to be called (from a tap's goroutine; f must not
// block) when a conversation is created, joined or ended. id 0 means "many changed".
func (h *Hub) OnConversation(f func(ConvID)) {
	h.onConvMu.Lock()
	h.onConv = append(h.onConv, f)
	h.onConvMu.Unlock()
}

func (h *Hub) notifyConv(id ConvID) {
	h.onConvMu.Lock()
	fs := h.onConv
	h.onConvMu.Unlock()
	for _, f := range fs {
		f(id)
	}
}
