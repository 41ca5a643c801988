package lab

import (
	"bytes"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/protocollab/protolab/internal/mem"
)

// convKey joins the client's and the server's taps of one connection.
type convKey struct {
	transport      string
	client, server string
}

// Conversation is one TCP connection or one UDP flow, seen by one or both taps.
// Its methods are safe for concurrent use.
type Conversation struct {
	hub    *Hub
	id     ConvID
	proto  *Protocol
	key    convKey
	client net.Addr
	server net.Addr
	start  time.Time
	// mark is the hub's newest event when the conversation was made: its
	// own events are all newer, and it grows along Hub.order (trimConvsLocked).
	mark     uint64
	datagram bool

	// mu guards the fields below. It is taken after Hub.convMu and before
	// Hub.mu and Hub.anMu (see the package's doc, Locks).
	mu       sync.Mutex
	layers   []*layer // lowest first; the last is the top
	attached [3]bool  // by Side
	closed   [3]bool  // by Side: that tap's socket was closed locally
	fin      [3]bool  // by Side: that endpoint sent a FIN
	rst      bool
	closedBy Side
	live     bool
	how      string
	end      time.Time
	last     time.Time
	bytes    [3]int64 // by Dir
	msgs     int
	kernel   *TCPInfo
	link     *Link          // nil: LinkNone
	limit    *captureLimit  // nil unless the protocol has a CaptureLimit (the server tap's: adoptLimit)
	unkept   [3]atomic.Bool // by Side: what arrives at that tap is past the limit, no longer kept (tapConn.Write)
	slab     []byte         // spare room for captured bytes (see keep)
	pair     *pairing       // a TCP connection's sockets, what one tap keeps for the other to share; nil until needed (pairs)
	echo     [3]sent        // by Side: the bytes that tap last kept of what arrived, for a write of the same bytes to share (share)
	slabSize int
	ops      []op          // analysis work waiting (see analyze.go)
	spareOps []op          // the analysis goroutine's emptied queue, kept for the next batch while live
	lastSeq  atomic.Uint64 // the sequence number of its newest event published
	queued   int           // bytes in ops
	counted  bool          // its cost is in the hub's endedBytes (see countEnded)
	working  bool          // a goroutine is working on ops
	ending   bool          // every tap has closed; an opEnd is queued
	endAt    time.Time     // when its opEnd was queued, from when the analysis ran it until its chunk was published (ended)
	drained  *sync.Cond    // on mu: signalled when ops are taken (waitDrained); nil until a wait
	// (The fields are in an order that leaves little padding: a short
	// flow's record fits the runtime's 576-byte size of allocation.)
}

// Slab sizes for captured bytes: each conversation copies what its taps see into
// slabs that double from slabMin to slabMax, so a busy connection costs one
// allocation per slabMax bytes rather than one per read, and a quiet one wastes
// little. Chunks over half a slab get their own allocation. A slab lives as
// long as its newest event is held, so with the hub at its bound each busy
// conversation holds about one slab more than its events count: slabMax keeps
// that small beside the bound (50 connections, 3 MiB).
const (
	slabMin = 256
	slabMax = 64 << 10
)

// keep copies b into the conversation's slab, and returns the copy and where
// its allocation begins (Event.home). c.mu must be held.
func (c *Conversation) keep(b []byte) ([]byte, unsafe.Pointer) {
	if len(b) > cap(c.slab)-len(c.slab) {
		c.slabSize = min(max(2*c.slabSize, slabMin), slabMax)
		if len(b) > c.slabSize/2 {
			own := append([]byte(nil), b...)
			return own, unsafe.Pointer(unsafe.SliceData(own))
		}
		c.slab = mem.Room(c.slabSize)
	}
	n := len(c.slab)
	c.slab = append(c.slab, b...)
	return c.slab[n:len(c.slab):len(c.slab)], unsafe.Pointer(unsafe.SliceData(c.slab))
}

// layerSet holds a conversation's layers (at most two: the transport's and
// the protocol's) and the slice of them, in one allocation.
type layerSet struct {
	ptrs   [2]*layer
	layers [2]layer
}

// newLayers returns layers named names whose analyzers are as, lowest
// first, made in one allocation; nil if there are none.
func newLayers(names []string, as []Analyzer) []*layer {
	if len(names) == 0 {
		return nil
	}
	set := new(layerSet)
	for i, name := range names {
		set.layers[i] = layer{name: name, a: as[i]}
		set.ptrs[i] = &set.layers[i]
	}
	return set.ptrs[:len(names):len(names)]
}

type layer struct {
	name   string
	a      Analyzer
	state  string            // guarded by the conversation's mu
	inner  map[string]string // states of the layers inside this one (Message.Layer), by name
	failed bool              // the analyzer panicked; touched only by the analysis goroutine
	// A carrier's report of its inner layers' states (emit), made once, and
	// the side and time of the emit it reports for. The analysis goroutine's.
	report func(name, state string)
	side   Side
	at     time.Time
}

// ID returns the conversation's identifier.
func (c *Conversation) ID() ConvID { return c.id }

// Live reports whether the connection is open (or the flow recently active).
func (c *Conversation) Live() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.liveLocked(time.Now())
}

func (c *Conversation) liveLocked(now time.Time) bool {
	if c.live && c.datagram && now.Sub(c.last) > c.hub.opts.FlowIdle {
		return false
	}
	return c.live
}

// linkOf is l as a conversation holds it: nil for no link.
func linkOf(l Link) *Link {
	if l == (Link{}) {
		return nil
	}
	return &l
}

// SetLink ties c to the conversation it exists because of: an FTP data connection
// to its control connection, a relay hop to the session that brought the mail, a
// connection to the DNS lookup whose answer it dialled.
func (c *Conversation) SetLink(l Link) {
	c.mu.Lock()
	c.link = linkOf(l)
	c.mu.Unlock()
	c.hub.notifyConv(c.id)
}

// Report adds m to c's messages as seen by the tap on side: what a program in the
// lab knows of the conversation that no analyzer can read from the wire, such as
// the SFTP operations a server's handlers carry out inside SSH's encryption. It
// takes its place after the messages of the bytes the taps have already seen.
// m.Layer names its layer (empty: the analyzer's own), whose state m.NextState
// moves. m.Raw is copied. A conversation without an analyzer drops m.
func (c *Conversation) Report(side Side, m Message) {
	m.Raw = bytes.Clone(m.Raw)
	m.rawOwned = m.Raw != nil
	c.mu.Lock()
	c.enqueue(op{kind: opReport, side: side, at: time.Now(), msg: &m})
	c.mu.Unlock()
}

// attach finds or creates the conversation for one tap's view of a connection.
// A tap on the other side of a conversation the lab already knows joins it.
func (h *Hub) attach(p *Protocol, client, server net.Addr, side Side, datagram bool, info OpenInfo) *Conversation {
	// A conversation's transport is its socket's: DNS, a datagram protocol, also
	// runs over TCP, and then has TCP's handshake beneath it.
	transport, newAnalyzer := "tcp", p.NewAnalyzer
	if datagram {
		transport = "udp"
	} else if p.NewStreamAnalyzer != nil {
		newAnalyzer = p.NewStreamAnalyzer
	}
	key := convKey{transport: transport}
	key.client, key.server = addrTexts(client, server)
	now := info.At
	if now.IsZero() {
		now = time.Now()
		info.At = now
	}

	h.convMu.Lock()
	if c := h.byKey[key]; c != nil {
		c.mu.Lock()
		joinable := !c.attached[side] && (c.live || now.Sub(c.end) < 5*time.Second)
		if datagram && c.liveLocked(now) {
			joinable = true
		}
		if joinable {
			h.convMu.Unlock()
			if side == SideServer {
				c.adoptLimit(p)
			}
			c.join(side, info)
			c.mu.Unlock()
			h.notifyConv(c.id)
			return c
		}
		c.mu.Unlock()
	}
	h.convSeq++
	c := &Conversation{
		hub:      h,
		id:       h.convSeq,
		proto:    p,
		key:      key,
		client:   client,
		server:   server,
		start:    now,
		mark:     h.newest.Load(),
		last:     now,
		datagram: datagram,
		live:     true,
	}
	limitBy := p
	if side == SideClient && !datagram {
		if lp := h.listenerLocked(server); lp != nil {
			// A lab server's setting decides, though the client's tap came first.
			limitBy = lp
		}
	}
	c.limit = newCaptureLimit(limitBy)
	var names [2]string
	var as [2]Analyzer
	n := 0
	if lower := h.opts.Registry.Lookup(transport); lower != nil && lower != p && lower.NewAnalyzer != nil {
		names[n], as[n] = lower.Name, lower.NewAnalyzer()
		n++
	}
	if newAnalyzer != nil {
		names[n], as[n] = p.LayerName(), newAnalyzer()
		n++
	}
	c.layers = newLayers(names[:n], as[:n])
	next := h.opts.Registry.Layers().WithKeys(&h.keys)
	for _, l := range c.layers {
		next.equip(l.a)
	}
	h.convs[c.id] = c
	h.order = append(h.order, c)
	h.byKey[key] = c
	h.trimConvsLocked()
	c.mu.Lock()
	h.convMu.Unlock()
	c.open(side, info)
	c.mu.Unlock()
	h.notifyConv(c.id)
	return c
}

// addrTexts is a.String() and b.String(), both made in one allocation for TCP
// and UDP addresses (net's makes three each): a flood of short conversations
// names two each.
func addrTexts(a, b net.Addr) (string, string) {
	pa, aok := addrPortOf(a)
	pb, bok := addrPortOf(b)
	if !aok || !bok {
		return addrText(a), addrText(b)
	}
	var buf [2 * len("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%zone]:65535")]byte
	t := pa.AppendTo(buf[:0])
	n := len(t)
	t = pb.AppendTo(t)
	s := string(t)
	return s[:n], s[n:]
}

// addrText is a.String(), made with one allocation for a TCP or UDP address.
func addrText(a net.Addr) string {
	if ap, ok := addrPortOf(a); ok {
		return ap.String()
	}
	return a.String()
}

// addrPortOf is a TCP or UDP address's address and port, an IPv4 address in
// its 4-byte form (as net prints one in its 16-byte form, and so that both
// forms are one key). ok is false for any other address, or one without an IP.
func addrPortOf(a net.Addr) (ap netip.AddrPort, ok bool) {
	switch a := a.(type) {
	case *net.TCPAddr:
		ap = a.AddrPort()
	case *net.UDPAddr:
		ap = a.AddrPort()
	default:
		return ap, false
	}
	if !ap.IsValid() {
		return ap, false
	}
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), true
}

// open records the first tap's view. c.mu must be held.
func (c *Conversation) open(side Side, info OpenInfo) {
	c.attached[side] = true
	info.Side = side
	info.Client, info.Server = c.client, c.server
	if info.Kernel != nil {
		c.kernel = info.Kernel
	}
	c.step(op{kind: opOpen, side: side, at: info.At, open: &info})
}

// join records a second tap's view of a known conversation. c.mu must be held.
func (c *Conversation) join(side Side, info OpenInfo) {
	c.attached[side] = true
	c.ending = false
	if !c.live {
		c.live = true
		c.end = time.Time{}
		c.uncount()
	}
	if info.Kernel != nil && c.kernel == nil {
		c.kernel = info.Kernel
	}
	info.Joined, info.JoinedSide = true, side
	info.Client, info.Server = c.client, c.server
	c.step(op{kind: opOpen, side: side, at: info.At, open: &info})
}

// step queues o, an open or a close a tap saw, for the analyzers, with its
// event: made where it is published (stepEvent), by the analysis, not by the
// tap, when analyzers read c; at once when none does. Nothing is published
// while capture is paused. c.mu must be held.
func (c *Conversation) step(o op) {
	o.quiet = c.hub.paused.Load()
	if len(c.layers) == 0 && !o.quiet {
		c.publishNow(c.stepEvent(&o))
		o.quiet = true // published
	}
	c.enqueue(o)
}

// stepEvent is the event of o, an open or a close.
func (c *Conversation) stepEvent(o *op) Event {
	e := Event{At: o.at, Side: o.side, Layer: c.key.transport}
	if o.kind == opOpen {
		e.Kind = KindOpen
		if o.open.Joined {
			e.Text = "the " + o.side.String() + "'s tap joined: both ends are in the lab" + connectTook(*o.open)
		} else {
			e.Text = c.proto.Name + " " + c.key.client + " → " + c.key.server + " seen by the " + o.side.String() + connectTook(*o.open)
		}
		return e
	}
	info := o.close
	e.Kind, e.Dir = KindClose, info.By.Outbound()
	switch info.How {
	case HowIdle:
		e.Text = "the flow went idle"
		if info.Err != "" {
			e.Text = "the flow ended" // the program said why
		}
	case HowClosed:
		// Not "sent": an export draws no packet for it.
		e.Text = "the " + info.By.String() + "'s socket closed"
	default:
		e.Text = "the " + info.By.String() + " sent " + info.How
	}
	if info.Err != "" {
		e.Text += ": " + info.Err
	}
	return e
}

// ConnectTook begins the part of an open event's Text that says how long the
// client's connect took, followed by the duration as time.Duration writes it:
// "; connect took 182µs". The tap that saw the connect adds it, whether it opened
// the conversation or joined it.
const ConnectTook = "; connect took "

// connectTook is the ConnectTook part of an open event's text, "" when the
// tap did not see the connect.
func connectTook(info OpenInfo) string {
	if info.Connect <= 0 {
		return ""
	}
	return ConnectTook + info.Connect.String()
}

// keptEmitted is the room the analysis aims to keep between chunks for the
// events a chunk of ops gives (runChunk, nextChunk). A chunk may give more
// (one op of hundreds of deliveries gives them all): the room grown for it is
// kept up to maxKeptEmitted (2.4 MB), where dropping it made the next chunk
// grow it again from nothing, a copy of every event for a broker's fan-out.
const (
	keptEmitted    = 4096
	maxKeptEmitted = 4 * keptEmitted
)

// publish gathers e, as part of c, with the events of the ops the analysis
// goroutine runs, to be published together (runChunk). Only the
// analysis goroutine publishes a conversation's events, and the events it
// gathers are its own: no lock is needed; a tap notes them (note).
func (c *Conversation) publish(e Event) {
	e.Conv = c.id
	*c.gather() = e
}

// gather is publish of an event filled in where it is gathered, not built
// beside and copied in: for the events of every op (its bytes, its messages).
func (c *Conversation) gather() *Event {
	h := c.hub
	h.emitted = append(h.emitted, Event{})
	e := &h.emitted[len(h.emitted)-1]
	e.Conv = c.id
	return e
}

// note records e, which a tap saw. With analyzers it is queued, to be
// published in its place among c's work (analyze.go), nothing while capture
// is paused; without, nothing else is queued, and it is published at once.
// c.mu must be held.
func (c *Conversation) note(e Event) {
	if len(c.layers) == 0 {
		c.publishNow(e)
		return
	}
	if c.hub.paused.Load() {
		return
	}
	if e.At.IsZero() {
		e.At = time.Now()
	}
	c.enqueue(op{kind: opEvent, at: e.At, ev: &e})
}

// publishNow publishes e at once, as part of c: a tap's event in a
// conversation no analyzer reads, whose queue holds nothing that should come
// first. c.mu must be held.
func (c *Conversation) publishNow(e Event) {
	e.Conv = c.id
	if seq := c.hub.Publish(e); seq != 0 {
		c.lastSeq.Store(seq)
	}
}

// convCost is what an ended conversation costs the hub's bound: what it keeps
// in memory beyond its events (its record, its analyzers' state, its
// addresses and kernel view; about 1.7 KiB measured for a short TCP
// connection), rounded up.
const convCost = 2 << 10

// countEnded puts c's cost against the hub's bound, now that it ended: many
// connections that come and go cost memory even when each says little, and
// the bound holds the process's memory, not only its events. c.mu must be held.
func (c *Conversation) countEnded() {
	if !c.counted {
		c.counted = true
		c.hub.ended()
	}
}

// uncount takes c's cost off the hub's bound: it lives again, or is forgotten.
// c.mu must be held.
func (c *Conversation) uncount() {
	if c.counted {
		c.counted = false
		c.hub.endedBytes.Add(-convCost)
	}
}

// emit publishes an analyzer's messages and the state changes they caused. A
// message of a layer inside the analyzer's own (Message.Layer: HTTP inside TLS)
// moves that layer's state. c.mu must be held; the analysis goroutine runs it.
func (c *Conversation) emit(l *layer, side Side, msgs []Message, at time.Time) {
	for i := range msgs {
		m := &msgs[i]
		kind := KindMessage
		if m.Handshake {
			kind = KindHandshake
		}
		name := l.name
		if m.Layer != "" {
			name = m.Layer
		}
		c.msgs++
		if m.Pub != nil {
			c.msgs += len(m.Pub.Burst) // a burst's publications each count
		}
		e := c.gather()
		e.At, e.Kind, e.Dir, e.Side, e.Layer, e.Msg = at, kind, m.Dir, side, name, m
		if m.NextState != "" {
			c.move(l, name, m.NextState, m.Summary, side, at)
		}
	}
	c.move(l, l.name, l.a.State(), "", side, at)
	if cr, ok := l.a.(Carrier); ok {
		l.side, l.at = side, at
		if l.report == nil {
			// Made once: a closure made at every emit would be an allocation
			// for every Feed of a busy carrier (each record of a TLS stream).
			l.report = func(name, s string) {
				if name != "" && name != l.name && s != "" {
					c.move(l, name, s, "", l.side, l.at)
				}
			}
		}
		cr.InnerStates(l.report)
	}
}

// move puts layer name — l itself, or a layer inside it — in state to,
// publishing the change (caused by the message summarized as why, if any).
// c.mu must be held.
func (c *Conversation) move(l *layer, name, to, why string, side Side, at time.Time) {
	from := l.state
	if name != l.name {
		from = l.inner[name]
	}
	if to == from {
		return
	}
	c.publish(Event{At: at, Kind: KindState, Side: side, Layer: name, From: from, To: to, Text: why})
	if name == l.name {
		l.state = to
		return
	}
	if l.inner == nil {
		l.inner = make(map[string]string)
	}
	l.inner[name] = to
}

// data records bytes that arrived at one tap (read, or seen waiting unread) or
// that it is about to write, and feeds the analyzers when this tap is the
// direction's source: the writer when its tap is in the lab, otherwise the
// reader. So each byte is analyzed and counted once.
func (c *Conversation) data(side Side, dir Dir, b []byte, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last = at
	writer, reader := endsOf(dir)
	source := side == writer || !c.attached[writer]
	if source {
		c.bytes[dir] += int64(len(b))
	}
	if c.limit != nil {
		if b = c.limit.take(c, side, dir, source, b, at); len(b) == 0 {
			return
		}
	}
	streams := !c.datagram && c.limit == nil
	if streams && !source {
		// Both ends are in the lab: the writer's tap kept these bytes.
		if b = c.shareStream(side, dir, b, at); len(b) == 0 {
			return
		}
	}
	own, home, shared := c.share(side, dir, source, b)
	if streams && side == writer {
		c.pairs().stream[dir].write(own, home, c.attached[reader])
	}
	c.record(side, dir, own, home, shared, source, at)
}

// endsOf returns the sides that write and read dir.
func endsOf(dir Dir) (writer, reader Side) {
	if dir == ServerToClient {
		return SideServer, SideClient
	}
	return SideClient, SideServer
}

// record publishes a data event of bytes side's tap kept (own, its allocation
// beginning at home; shared if another event holds them), feeding the
// analyzers if the tap is the direction's source. c.mu must be held.
func (c *Conversation) record(side Side, dir Dir, own []byte, home unsafe.Pointer, shared, source bool, at time.Time) {
	if len(c.layers) == 0 {
		c.publishNow(Event{At: at, Kind: KindData, Dir: dir, Side: side, Layer: c.key.transport, Data: own, shared: shared, home: home})
		return
	}
	// The data event and the analyzers' feed wait in the queue, in their
	// place among the conversation's other work (analyze.go): the hub's lock
	// is taken once for them and the messages they make, off the
	// connection's back.
	c.enqueue(op{kind: opData, side: side, dir: dir, b: own, home: home, at: at, feed: source, quiet: c.hub.paused.Load(), shared: shared})
}

// maxSent bounds the datagrams a flow remembers per direction for the
// receiving tap to find (share): a receiver further behind copies what it
// reads. A bulk transfer's sender runs a congestion window ahead of its
// receiver (SCTP over a data channel: hundreds of datagrams), and the
// receive buffer bounds how far.
const maxSent = 1024

// recent is a queue of what a writer's tap kept lately, oldest first from
// head, for the reader's tap to find: it remembers at most maxSent, forgetting
// the oldest.
type recent[T any] struct {
	b    []T
	head int
}

// push remembers v, forgetting the oldest past maxSent.
func (q *recent[T]) push(v T) {
	var zero T
	if len(q.b)-q.head >= maxSent {
		q.b[q.head] = zero
		q.head++
	}
	if q.head > 0 && q.head >= len(q.b)/2 {
		// Moved down once the forgotten half the room: each is moved a few
		// times at most, not once for each pushed after it.
		n := copy(q.b, q.b[q.head:])
		clear(q.b[n:])
		q.b, q.head = q.b[:n], 0
	}
	q.b = append(q.b, v)
}

// forget forgets what comes before index i.
func (q *recent[T]) forget(i int) {
	clear(q.b[q.head:i])
	q.head = i
	if q.head == len(q.b) {
		q.b, q.head = q.b[:0], 0
	}
}

// pairing is what a conversation needs beyond what a datagram flow seen by
// one tap needs: a TCP connection's sockets, and what one tap keeps for the
// other to find and share, by Dir: the datagrams a sender's tap kept (share),
// and what a TCP direction's writer kept (streamshare.go). A TCP
// conversation makes it with its first tap's socket, before any bytes (its
// streams' counts begin there); a flow only when both its taps are in the lab,
// which few are: a flood of a resolver's queries makes a flow of each, none of
// them needing it.
type pairing struct {
	kconn  [3]net.Conn // by Side: that tap's TCP socket while open, to ask the kernel about
	sent   [3]sentQueue
	stream [3]stream
}

// pairs returns c's pairing, making it if needed. c.mu must be held.
func (c *Conversation) pairs() *pairing {
	if c.pair == nil {
		c.pair = new(pairing)
	}
	return c.pair
}

// sentQueue is the datagrams a sender's tap kept, for the receiver's tap to
// share.
type sentQueue struct{ recent[sent] }

// sent is a datagram a sender's tap kept, and where its allocation begins.
type sent struct {
	d    []byte
	home unsafe.Pointer
}

// take finds b among the datagrams remembered and returns the sender's copy,
// forgetting it and those before it (lost on the way).
func (q *sentQueue) take(b []byte) (sent, bool) {
	for i := q.head; i < len(q.b); i++ {
		if d := q.b[i]; bytes.Equal(d.d, b) {
			q.forget(i + 1)
			return d, true
		}
	}
	return sent{}, false
}

// share returns b as the conversation keeps it, where its allocation begins,
// and whether another event holds those bytes already, so they count once
// against the bound:
//   - a write of the very bytes the writing tap last kept of what arrived (an
//     echo) takes their copy;
//   - a datagram both taps see is kept once: the sender's tap keeps it and
//     remembers it, and the receiver's tap, reading the same bytes, takes the
//     sender's copy (the datagrams it finds passed over were lost).
//
// Anything else is copied (keep). c.mu must be held.
func (c *Conversation) share(side Side, dir Dir, source bool, b []byte) (own []byte, home unsafe.Pointer, shared bool) {
	writer, reader := endsOf(dir)
	both := c.datagram && c.attached[writer] && c.attached[reader]
	if side == writer {
		e := c.echo[side]
		c.echo[side] = sent{}
		if len(b) > 0 && len(e.d) == len(b) && bytes.Equal(e.d, b) {
			own, home, shared = e.d, e.home, true
		} else {
			own, home = c.keep(b)
		}
		if both && source {
			c.pairs().sent[dir].push(sent{own, home})
		}
		return own, home, shared
	}
	if both && c.pair != nil {
		if d, ok := c.pair.sent[dir].take(b); ok {
			own, home, shared = d.d, d.home, true
		}
	}
	if own == nil {
		own, home = c.keep(b)
	}
	c.echo[side] = sent{own, home}
	return own, home, shared
}

// closeStep records that endpoint by sent a FIN or RST (or the flow idled), as tap
// seen observed it; the same step seen by both taps is recorded once.
func (c *Conversation) closeStep(seen, by Side, how, errText string) {
	c.closeStepAt(time.Now(), seen, by, how, errText)
}

// closeStepAt is closeStep for a step that happened at at: a FIN the tap sent
// just before it could record it.
func (c *Conversation) closeStepAt(at time.Time, seen, by Side, how, errText string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch how {
	case HowRST:
		if c.rst {
			return
		}
		c.rst = true
	case HowFIN:
		if c.fin[by] || c.rst {
			return
		}
		c.fin[by] = true
	case HowClosed:
		// Nothing new if the endpoint's FIN is known, or a reset ended it all.
		if c.fin[by] || c.rst {
			return
		}
	}
	first := c.closedBy == SideNone
	if first && how == HowClosed {
		first = false // what it sent, and so who closed first, is not known
	} else if first {
		c.closedBy, c.how = by, how
	}
	now := at
	c.last = now
	info := CloseInfo{By: by, How: how, First: first, Seen: seen, Err: errText, Kernel: c.readKernel()}
	c.step(op{kind: opClose, side: seen, at: now, close: &info})
}

// localClosed records that the tap on side closed its socket. The conversation
// ends when every tap in the lab has closed (or a reset ended it).
func (c *Conversation) localClosed(side Side) {
	c.mu.Lock()
	c.closed[side] = true
	if c.pair != nil {
		c.pair.kconn[side] = nil
	}
	done := c.rst || c.datagram
	if !done {
		done = true
		for s := SideClient; s <= SideServer; s++ {
			if c.attached[s] && !c.closed[s] {
				done = false
			}
		}
	}
	if done && c.live && !c.ending {
		// The conversation ends once its analysis has caught up (analyze.go). The
		// kernel is not asked again: a socket left open after a reset is not the
		// conversation's.
		c.ending = true
		if c.pair != nil {
			c.pair.kconn = [3]net.Conn{}
		}
		c.enqueue(op{kind: opEnd, at: time.Now()})
	}
	c.mu.Unlock()
}

// readKernel asks the kernel about a socket of c still open, the server's first,
// and keeps its answer as c's latest view. It returns nil if no socket is open or
// the kernel does not say. c.mu must be held.
func (c *Conversation) readKernel() *TCPInfo {
	if c.pair == nil {
		return nil
	}
	for _, s := range [...]Side{SideServer, SideClient} {
		if c.pair.kconn[s] == nil {
			continue
		}
		if k := ReadTCPInfo(c.pair.kconn[s]); k != nil {
			c.kernel = k
			return k
		}
	}
	return nil
}

// fault records an I/O error a tap saw.
func (c *Conversation) fault(side Side, kind Kind, text string) {
	c.mu.Lock()
	c.note(Event{Kind: kind, Side: side, Layer: c.key.transport, Text: text})
	c.mu.Unlock()
}
