package lab

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// pubAnalyzer frames a toy broker's lines: "PUB subject payload" from a
// client and "MSG subject payload" to one are publications.
type pubAnalyzer struct{ lineAnalyzer }

func (a *pubAnalyzer) Feed(dir Dir, b []byte, at time.Time) []Message {
	msgs := a.lineAnalyzer.Feed(dir, b, at)
	for i := range msgs {
		verb, rest, _ := strings.Cut(msgs[i].Summary, " ")
		subject, payload, _ := strings.Cut(rest, " ")
		if (verb == "PUB" && dir == ClientToServer) || (verb == "MSG" && dir == ServerToClient) {
			msgs[i].Pub = &Publication{Subject: subject, Digest: PayloadDigest([]byte(payload)), Size: len(payload)}
		}
	}
	return msgs
}

// toyBroker serves the toy protocol on tapped listeners, one per protocol
// given, all sharing one set of subscriptions: "SUB s" subscribes, "PUB s p"
// sends "MSG s p" to every subscriber of s; each is answered "+OK" (a PUB's
// after its deliveries are written). It returns the listeners' addresses.
func toyBroker(t *testing.T, h *Hub, protos ...*Protocol) []string {
	t.Helper()
	var mu sync.Mutex
	subs := map[string][]net.Conn{}
	var wg sync.WaitGroup
	var addrs []string
	var ls []net.Listener
	serve := func(c net.Conn) {
		defer c.Close()
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			verb, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
			subject, payload, _ := strings.Cut(rest, " ")
			mu.Lock()
			switch verb {
			case "SUB":
				subs[subject] = append(subs[subject], c)
			case "PUB":
				for _, s := range subs[subject] {
					fmt.Fprintf(s, "MSG %s %s\n", subject, payload)
				}
			}
			c.Write([]byte("+OK\n"))
			mu.Unlock()
		}
	}
	for _, p := range protos {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		addrs = append(addrs, l.Addr().String())
		serveTapped(h.Tap(p).Listener(l), &wg, serve)
	}
	t.Cleanup(func() {
		for _, l := range ls {
			l.Close()
		}
		mu.Lock()
		for _, cs := range subs {
			for _, c := range cs {
				c.Close()
			}
		}
		mu.Unlock()
		wg.Wait()
	})
	return addrs
}

// toyClient is an outside client of the toy broker.
type toyClient struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dialToy(t *testing.T, addr string) *toyClient {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &toyClient{t, c, bufio.NewReader(c)}
}

// do sends line and reads lines up to the broker's "+OK", returning those before it.
func (tc *toyClient) do(line string) []string {
	tc.t.Helper()
	fmt.Fprintf(tc.c, "%s\n", line)
	var got []string
	for {
		l, err := tc.r.ReadString('\n')
		if err != nil {
			tc.t.Fatalf("%q: %v", line, err)
		}
		if l = strings.TrimSpace(l); l == "+OK" {
			return got
		}
		got = append(got, l)
	}
}

// readMsg reads the next delivery.
func (tc *toyClient) readMsg() string {
	tc.t.Helper()
	l, err := tc.r.ReadString('\n')
	if err != nil {
		tc.t.Fatal(err)
	}
	return strings.TrimSpace(l)
}

// findPub returns the ref of the n-th (from 0) message of conv whose summary is summary.
func findPub(t *testing.T, h *Hub, conv ConvID, summary string, n int) MsgRef {
	t.Helper()
	for _, e := range h.ConvEvents(conv) {
		if e.Msg != nil && e.Msg.Summary == summary {
			if n == 0 {
				return MsgRef{Conv: e.Conv, Seq: e.Seq, At: e.At, Dir: e.Dir, Layer: e.Layer}
			}
			n--
		}
	}
	t.Fatalf("conversation %d has no %q", conv, summary)
	return MsgRef{}
}

func convOf(t *testing.T, h *Hub, c *toyClient) ConvID {
	t.Helper()
	local := c.c.LocalAddr().String()
	for _, ci := range h.Conversations() {
		if ci.Client == local {
			return ci.ID
		}
	}
	t.Fatalf("no conversation from %s", local)
	return 0
}

func toyProtocols() (*Registry, *Protocol, *Protocol) {
	reg := &Registry{}
	a := &Protocol{Name: "toya", Transport: "toya", NewAnalyzer: func() Analyzer { return &pubAnalyzer{} }}
	b := &Protocol{Name: "toyb", Transport: "toyb", NewAnalyzer: func() Analyzer { return &pubAnalyzer{} }}
	reg.Register(a)
	reg.Register(b)
	return reg, a, b
}

func TestFollowFanOutAcrossProtocols(t *testing.T) {
	reg, a, b := toyProtocols()
	h := NewHub(HubOptions{Registry: reg})
	addrs := toyBroker(t, h, a, b)
	subA, subB1, subB2, other := dialToy(t, addrs[0]), dialToy(t, addrs[1]), dialToy(t, addrs[1]), dialToy(t, addrs[1])
	for _, s := range []*toyClient{subA, subB1, subB2} {
		s.do("SUB lab.t1")
	}
	other.do("SUB lab.t2")
	pub := dialToy(t, addrs[0])

	// The same payload twice, and the same payload on another subject between.
	pub.do("PUB lab.t1 21")
	pub.do("PUB lab.t2 21")
	pub.do("PUB lab.t1 21")
	for _, s := range []*toyClient{subA, subB1, subB2} {
		for range 2 {
			if got := s.readMsg(); got != "MSG lab.t1 21" {
				t.Fatalf("subscriber read %q", got)
			}
		}
	}
	other.readMsg()
	h.Settle()

	pc := convOf(t, h, pub)
	subs := []ConvID{convOf(t, h, subA), convOf(t, h, subB1), convOf(t, h, subB2)}
	for n := range 2 {
		p := findPub(t, h, pc, "PUB lab.t1 21", n)
		srcs, dels := h.Follow(p.Conv, p.Seq)
		if src := only(t, srcs); src != p {
			t.Errorf("publication %d: source %+v, want itself %+v", n, src, p)
		}
		if len(dels) != 3 {
			t.Fatalf("publication %d: %d deliveries, want 3: %+v", n, len(dels), dels)
		}
		want := map[ConvID]MsgRef{}
		for _, s := range subs {
			want[s] = findPub(t, h, s, "MSG lab.t1 21", n)
		}
		for _, d := range dels {
			if d != want[d.Conv] {
				t.Errorf("publication %d: delivery %+v, want one of %+v", n, d, want)
			}
			if d.Dir != ServerToClient || d.At.Before(p.At) || d.Layer != h.Conversation(d.Conv).Info(false).Protocol {
				t.Errorf("publication %d: delivery %+v is not after it", n, d)
			}
			// From the delivery back to its publication, with its siblings.
			srcs2, dels2 := h.Follow(d.Conv, d.Seq)
			if src2 := only(t, srcs2); src2 != p || len(dels2) != 3 {
				t.Errorf("delivery %+v: source %+v with %d deliveries, want %+v with 3", d, src2, len(dels2), p)
			}
		}
	}
	p2 := findPub(t, h, pc, "PUB lab.t2 21", 0)
	if _, dels := h.Follow(p2.Conv, p2.Seq); len(dels) != 1 || dels[0].Conv != convOf(t, h, other) {
		t.Errorf("lab.t2: deliveries %+v, want one to its own subscriber", dels)
	}
	// Not a publication; a wrong conversation.
	sub := findPub(t, h, pc, "+OK", 0)
	if src, dels := h.Follow(sub.Conv, sub.Seq); src != nil || dels != nil {
		t.Errorf("Follow of +OK = %+v, %+v, want nothing", src, dels)
	}
	if src, dels := h.Follow(subs[0], p2.Seq); src != nil || dels != nil {
		t.Errorf("Follow with the wrong conversation = %+v, %+v, want nothing", src, dels)
	}
}

// pubEvent is a publication's event as an analyzer's would be published.
func pubEvent(conv ConvID, dir Dir, at time.Time, subject, payload string) Event {
	return Event{Conv: conv, At: at, Kind: KindMessage, Dir: dir, Msg: &Message{
		Dir: dir, Summary: subject, Raw: []byte(payload),
		Pub: &Publication{Subject: subject, Digest: PayloadDigest([]byte(payload)), Size: len(payload)},
	}}
}

func TestFollowPairsByTimeNotLogOrder(t *testing.T) {
	h := NewHub(HubOptions{})
	t0 := time.Now()
	// Analysis logs conversations in batches: a delivery may be logged before
	// its publication, and a later publication's delivery before an earlier one's.
	d1 := h.Publish(pubEvent(2, ServerToClient, t0.Add(2*time.Millisecond), "s", "x"))
	p1 := h.Publish(pubEvent(1, ClientToServer, t0, "s", "x"))
	d2 := h.Publish(pubEvent(3, ServerToClient, t0.Add(12*time.Millisecond), "s", "x"))
	p2 := h.Publish(pubEvent(1, ClientToServer, t0.Add(10*time.Millisecond), "s", "x"))
	d3 := h.Publish(pubEvent(4, ServerToClient, t0.Add(3*time.Millisecond), "s", "x"))
	if src, dels := h.Follow(1, p1); only(t, src).Seq != p1 || seqs(dels) != fmt.Sprint([]uint64{d1, d3}) {
		t.Errorf("first publication: %s → %v, want %d → %v", seqs(src), seqs(dels), p1, []uint64{d1, d3})
	}
	if src, dels := h.Follow(1, p2); only(t, src).Seq != p2 || seqs(dels) != fmt.Sprint([]uint64{d2}) {
		t.Errorf("second publication: %s → %v, want %d → %v", seqs(src), seqs(dels), p2, []uint64{d2})
	}
	if src, _ := h.Follow(4, d3); only(t, src).Seq != p1 {
		t.Errorf("delivery %d comes from %v, want %d", d3, seqs(src), p1)
	}
	// A delivery before any publication of its key has no source.
	d0 := h.Publish(pubEvent(5, ServerToClient, t0.Add(-time.Second), "s", "x"))
	if src, dels := h.Follow(5, d0); src != nil || len(dels) != 1 || dels[0].Seq != d0 {
		t.Errorf("orphan delivery: %+v, %+v; want no source and itself", src, dels)
	}
	h.Clear()
	if len(h.follow.byKey) != 0 {
		t.Errorf("after Clear the index holds %d keys", len(h.follow.byKey))
	}
}

// only returns the one source of srcs, or none when there is none; more than
// one is an error: a message that is no burst comes from one publication.
func only(t *testing.T, srcs []MsgRef) MsgRef {
	t.Helper()
	switch len(srcs) {
	case 0:
		return MsgRef{}
	case 1:
		return srcs[0]
	}
	t.Errorf("%d sources, want at most one: %+v", len(srcs), srcs)
	return srcs[0]
}

func seqs(refs []MsgRef) string {
	var s []uint64
	for _, r := range refs {
		s = append(s, r.Seq)
	}
	return fmt.Sprint(s)
}

func TestFollowIndexKeepsToTheBound(t *testing.T) {
	const max = 64 << 10
	h := NewHub(HubOptions{MaxBytes: max})
	t0 := time.Now()
	payload := string(bytes.Repeat([]byte("p"), 100))
	const n = 20_000
	for i := range n {
		at := t0.Add(time.Duration(i) * time.Microsecond)
		if i%4 == 0 {
			h.Publish(pubEvent(1, ClientToServer, at, fmt.Sprintf("s%d", i%40), payload))
		} else {
			h.Publish(pubEvent(ConvID(2+i%3), ServerToClient, at, fmt.Sprintf("s%d", (i-i%4)%40), payload))
		}
		h.Publish(Event{Conv: 9, Kind: KindData, Data: []byte(payload)})
	}
	st := h.Stats()
	held := 0
	for k, r := range h.follow.byKey {
		live := r.refs[r.head:]
		if len(live) == 0 {
			t.Errorf("key %v is empty but kept", k)
		}
		held += len(live)
		if cap(r.refs) > 2*len(live)+64 {
			t.Errorf("key %v keeps room for %d refs, holds %d", k, cap(r.refs), len(live))
		}
		for _, ref := range live {
			if ref < st.FirstSeq {
				t.Errorf("key %v holds seq %d, dropped (first held %d)", k, ref, st.FirstSeq)
			}
		}
	}
	if held == 0 || held > st.Events {
		t.Errorf("index holds %d refs for %d events held", held, st.Events)
	}
	// Every publication still held is indexed.
	want := 0
	for _, e := range h.Events(0) {
		if e.Msg != nil && e.Msg.Pub != nil {
			want++
		}
	}
	if held != want {
		t.Errorf("index holds %d refs, the log %d publications", held, want)
	}
}

// Readers follow messages while publications are logged and dropped by the bound.
func TestFollowWhilePublishing(t *testing.T) {
	h := NewHub(HubOptions{MaxBytes: 32 << 10})
	t0 := time.Now()
	done := make(chan struct{})
	var wg sync.WaitGroup
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				st := h.Stats()
				for seq := st.FirstSeq; seq <= st.LastSeq && seq < st.FirstSeq+20; seq++ {
					srcs, dels := h.Follow(ConvID(1+int(seq-1)%3), seq)
					if len(srcs) > 1 {
						t.Errorf("reader %d: %d sources of one publication", r, len(srcs))
					}
					for _, d := range dels {
						if d.Dir != ServerToClient || (len(srcs) == 1 && d.At.Before(srcs[0].At)) {
							t.Errorf("reader %d: delivery %+v of %+v", r, d, srcs)
						}
					}
				}
			}
		}()
	}
	for i := range 5000 {
		dir := ServerToClient
		if i%3 == 0 {
			dir = ClientToServer
		}
		h.Publish(pubEvent(ConvID(1+i%3), dir, t0.Add(time.Duration(i)*time.Microsecond), "s", "same"))
	}
	close(done)
	wg.Wait()
}

// burstEvent is a burst of publications of one subject, one payload each, as
// an analyzer publishes a read of many.
func burstEvent(conv ConvID, dir Dir, at time.Time, subject string, payloads ...string) Event {
	e := pubEvent(conv, dir, at, subject, payloads[0])
	p := e.Msg.Pub
	for _, s := range payloads[1:] {
		p.Burst = append(p.Burst, PayloadDigest([]byte(s)))
		p.Size += len(s)
	}
	return e
}

func TestFollowBursts(t *testing.T) {
	h := NewHub(HubOptions{})
	t0 := time.Now()
	ms := time.Millisecond
	// The publisher's a alone, then b and c in one read; subscriber 2 gets
	// all three in one read, subscriber 3 a and b in one and c alone; a
	// publication of another subject with payload b is none of theirs.
	pa := h.Publish(pubEvent(1, ClientToServer, t0, "s", "a"))
	pbc := h.Publish(burstEvent(1, ClientToServer, t0.Add(ms), "s", "b", "c"))
	other := h.Publish(pubEvent(1, ClientToServer, t0.Add(ms), "t", "b"))
	d2 := h.Publish(burstEvent(2, ServerToClient, t0.Add(2*ms), "s", "a", "b", "c"))
	d3ab := h.Publish(burstEvent(3, ServerToClient, t0.Add(2*ms), "s", "a", "b"))
	d3c := h.Publish(pubEvent(3, ServerToClient, t0.Add(3*ms), "s", "c"))
	for _, tt := range []struct {
		conv       ConvID
		seq        uint64
		srcs, dels []uint64
	}{
		{1, pa, []uint64{pa}, []uint64{d2, d3ab}},
		{1, pbc, []uint64{pbc}, []uint64{d2, d3ab, d3c}},
		{2, d2, []uint64{pa, pbc}, []uint64{d2, d3ab, d3c}},
		{3, d3ab, []uint64{pa, pbc}, []uint64{d2, d3ab}},
		{3, d3c, []uint64{pbc}, []uint64{d2, d3c}},
		{1, other, []uint64{other}, nil},
	} {
		srcs, dels := h.Follow(tt.conv, tt.seq)
		if seqs(srcs) != fmt.Sprint(tt.srcs) || seqs(dels) != fmt.Sprint(tt.dels) {
			t.Errorf("Follow(%d, %d) = %s, %s; want %v, %v", tt.conv, tt.seq, seqs(srcs), seqs(dels), tt.srcs, tt.dels)
		}
	}
}

// A burst's keys are each indexed once, and leave the index with it.
func TestFollowIndexBursts(t *testing.T) {
	h := NewHub(HubOptions{MaxBytes: 48 << 10})
	t0 := time.Now()
	payloads := func(i int) []string {
		// Runs of 1 to 7 payloads, some twice in one burst.
		n := 1 + i%7
		s := make([]string, n)
		for k := range s {
			s[k] = fmt.Sprint("p", (i+k/2)%50)
		}
		return s
	}
	for i := range 3000 {
		dir := ServerToClient
		if i%3 == 0 {
			dir = ClientToServer
		}
		h.Publish(burstEvent(ConvID(1+i%3), dir, t0.Add(time.Duration(i)*time.Microsecond), fmt.Sprint("s", i%5), payloads(i)...))
	}
	st := h.Stats()
	if st.Dropped == 0 {
		t.Fatal("nothing dropped: the bound is not reached")
	}
	held := 0
	for _, r := range h.follow.byKey {
		held += len(r.refs) - r.head
		for _, ref := range r.refs[r.head:] {
			if ref < st.FirstSeq {
				t.Errorf("the index holds seq %d, dropped (first held %d)", ref, st.FirstSeq)
			}
		}
	}
	want := 0
	for _, e := range h.Events(0) {
		if p := e.Msg.Pub; p != nil {
			keys := map[uint64]bool{}
			for i := range p.Count() {
				keys[p.digest(i)] = true
			}
			want += len(keys)
		}
	}
	if held != want {
		t.Errorf("the index holds %d refs, the log's bursts %d keys", held, want)
	}
}
