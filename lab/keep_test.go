package lab

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// keepPublish publishes n events of about 1 KiB each on h, event i carrying i.
func keepPublish(h *Hub, from, n int) {
	for i := from; i < from+n; i++ {
		data := bytes.Repeat([]byte("x"), 1000)
		binary.BigEndian.PutUint32(data, uint32(i))
		h.Publish(Event{Kind: KindData, Data: data})
	}
}

// readAll reads s until nothing waits, checking the events come in order
// with nothing twice, and returns how many it read and missed.
func readAll(t *testing.T, s *Subscription, max int) (got, missed uint64) {
	t.Helper()
	last := uint64(0)
	for {
		evs, m := s.Next(max)
		missed += m
		for _, e := range evs {
			if e.Seq <= last {
				t.Fatalf("event %d after %d", e.Seq, last)
			}
			if i := binary.BigEndian.Uint32(e.Data); uint64(i) != e.Seq-1 {
				t.Fatalf("event %d carries %d", e.Seq, i)
			}
			last = e.Seq
		}
		got += uint64(len(evs))
		if len(evs) == 0 && m == 0 {
			return got, missed
		}
	}
}

// TestKeepMissesNothing: a keeping reader that falls far behind the bound
// still reads every event, in order, while a plain one misses what was
// dropped; the hub's own bound holds.
func TestKeepMissesNothing(t *testing.T) {
	const max = 64 << 10
	h := NewHub(HubOptions{MaxBytes: max})
	keeper := h.Subscribe(true)
	keeper.Keep(8 << 20)
	plain := h.Subscribe(true)
	const n = 5000
	keepPublish(h, 0, n)
	if st := h.Stats(); st.Bytes > max || st.Dropped == 0 {
		t.Fatalf("hub holds %d bytes (bound %d), dropped %d: want the bound to drop", st.Bytes, max, st.Dropped)
	}
	if got, missed := readAll(t, keeper, 700); got != n || missed != 0 {
		t.Errorf("keeping reader: %d read, %d missed; want %d, 0", got, missed, n)
	}
	if got, missed := readAll(t, plain, 700); missed == 0 || got+missed != n {
		t.Errorf("plain reader: %d read, %d missed; want some missed, %d in all", got, missed, n)
	}
	// It keeps on keeping: a second burst, read in one go.
	keepPublish(h, n, n)
	if got, missed := readAll(t, keeper, 0); got != n || missed != 0 {
		t.Errorf("second burst: %d read, %d missed; want %d, 0", got, missed, n)
	}
}

// TestKeepWithinItsBytes: past what it may keep, a keeping reader misses
// events as a plain one does, and counts them.
func TestKeepWithinItsBytes(t *testing.T) {
	h := NewHub(HubOptions{MaxBytes: 64 << 10})
	s := h.Subscribe(true)
	s.Keep(256 << 10)
	const n = 5000
	keepPublish(h, 0, n)
	got, missed := readAll(t, s, 0)
	if got+missed != n || missed == 0 {
		t.Fatalf("%d read, %d missed; want some missed, %d in all", got, missed, n)
	}
	// What it kept is about its bytes and the hub's: ~1.2 KiB an event.
	if got > (256+64)<<10/1000 {
		t.Errorf("read %d events: more than 320 KiB of them", got)
	}
}

// TestKeepThroughClear: Clear forgets the hub's events, but a keeping reader
// still gets those it had not read; Close lets go of what it kept.
func TestKeepThroughClear(t *testing.T) {
	h := NewHub(HubOptions{MaxBytes: 64 << 10})
	s := h.Subscribe(true)
	s.Keep(8 << 20)
	keepPublish(h, 0, 100)
	h.Clear()
	keepPublish(h, 100, 10)
	if got, missed := readAll(t, s, 0); got != 110 || missed != 0 {
		t.Errorf("%d read, %d missed; want 110, 0", got, missed)
	}
	keepPublish(h, 110, 500)
	s.Close()
	if h.keeping != 0 || s.behind != nil {
		t.Errorf("after Close: %d keeping, %d kept", h.keeping, len(s.behind))
	}
}

// TestSentQueue: the receiver finds the sender's copy however far behind it
// is within maxSent, in order, passing over what was lost; further behind it
// finds nothing and copies.
func TestSentQueue(t *testing.T) {
	var q sentQueue
	dgram := func(i int) []byte { return []byte(fmt.Sprintf("datagram %d", i)) }
	next := 0 // the receiver's next
	for i := range 5000 {
		d := dgram(i)
		q.push(sent{d, unsafe.Pointer(&d[0])})
		if i%700 == 699 { // a burst: the receiver reads up, losing every tenth
			for ; next <= i; next++ {
				if next%10 == 0 {
					continue
				}
				d, ok := q.take(dgram(next))
				if !ok || string(d.d) != string(dgram(next)) || d.home != unsafe.Pointer(&d.d[0]) {
					t.Fatalf("datagram %d: %q, %v", next, d.d, ok)
				}
			}
		}
		if n := len(q.b) - q.head; n > maxSent {
			t.Fatalf("%d remembered", n)
		}
	}
	for i := range maxSent + 10 {
		q.push(sent{dgram(10000 + i), nil})
	}
	if _, ok := q.take(dgram(10000)); ok {
		t.Error("a datagram past maxSent was still remembered")
	}
	if d, ok := q.take(dgram(10000 + maxSent + 9)); !ok || string(d.d) != string(dgram(10000+maxSent+9)) {
		t.Errorf("the newest: %q, %v", d.d, ok)
	}
	if len(q.b) != 0 || q.head != 0 {
		t.Errorf("after taking the newest: %d held from %d", len(q.b), q.head)
	}
}

// TestNextAppend: reading into one buffer again and again, what the buffer
// held stays in front, and a keeping and a plain reader read what Next reads
// them.
func TestNextAppend(t *testing.T) {
	h := NewHub(HubOptions{MaxBytes: 64 << 10})
	keeper := h.Subscribe(true)
	keeper.Keep(8 << 20)
	plain := h.Subscribe(true)
	keepPublish(h, 0, 3000)
	for _, s := range []*Subscription{keeper, plain} {
		front := Event{Text: "held before"}
		buf := []Event{front}
		var read, missed uint64
		last := uint64(0)
		for {
			evs, m := s.NextAppend(buf, 700)
			if len(evs) == 0 || evs[0].Text != "held before" {
				t.Fatalf("NextAppend lost what the buffer held: %d events", len(evs))
			}
			for _, e := range evs[1:] {
				if e.Seq <= last || uint64(binary.BigEndian.Uint32(e.Data)) != e.Seq-1 {
					t.Fatalf("event %d after %d", e.Seq, last)
				}
				last = e.Seq
			}
			read += uint64(len(evs) - 1)
			missed += m
			if len(evs) == 1 && m == 0 {
				break
			}
			clear(evs[1:])
			buf = evs[:1]
		}
		if read+missed != 3000 || (s == keeper && missed != 0) || (s == plain && missed == 0) {
			t.Errorf("read %d, missed %d of 3000 (keeping: %v)", read, missed, s == keeper)
		}
	}
}

// TestEchoKeptOnce: a write of the very bytes the tap last kept of what
// arrived (an echo) shares their copy and counts once; a write of other bytes
// of the same length, or of the same bytes a second time, is copied.
func TestEchoKeptOnce(t *testing.T) {
	h, tap := testHub(t)
	addr := tappedServer(t, tap, func(c net.Conn) {
		defer c.Close()
		buf := make([]byte, 256)
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			c.Write(buf[:n])                // the echo
			c.Write(buf[:n])                // again: the echo was shared already
			c.Write(bytes.ToUpper(buf[:n])) // other bytes, as long
		}
	})
	c, err := net.Dial("tcp", addr.String()) // an outside client: server side only
	if err != nil {
		t.Fatal(err)
	}
	msgs := []string{"ping one\n", "ping two\n"}
	for _, m := range msgs {
		c.Write([]byte(m))
		back := make([]byte, 3*len(m))
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.ReadFull(c, back); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	h.Settle()
	var in, out []Event
	for _, e := range h.ConvEvents(h.Conversations()[0].ID) {
		switch {
		case e.Kind != KindData:
		case e.Dir == ClientToServer:
			in = append(in, e)
		default:
			out = append(out, e)
		}
	}
	if len(in) != len(msgs) || len(out) != 3*len(msgs) {
		t.Fatalf("%d events in and %d out, want %d and %d", len(in), len(out), len(msgs), 3*len(msgs))
	}
	for i, m := range msgs {
		echo, again, upper := out[3*i], out[3*i+1], out[3*i+2]
		if string(in[i].Data) != m || string(echo.Data) != m || string(again.Data) != m || string(upper.Data) != strings.ToUpper(m) {
			t.Fatalf("recorded %q, then %q %q %q; want %q, echoed twice and in capitals", in[i].Data, echo.Data, again.Data, upper.Data, m)
		}
		if !echo.shared || &echo.Data[0] != &in[i].Data[0] || echo.cost >= in[i].cost {
			t.Errorf("echo of %q: shared %v, the same bytes %v, cost %d against %d; want its bytes kept and counted once",
				m, echo.shared, &echo.Data[0] == &in[i].Data[0], echo.cost, in[i].cost)
		}
		for _, e := range []Event{again, upper} {
			if e.shared || &e.Data[0] == &in[i].Data[0] || e.cost < int32(eventCost)+int32(len(e.Data)) {
				t.Errorf("%q written after the echo is shared (%v) or not counted whole (cost %d)", e.Data, e.shared, e.cost)
			}
		}
	}
}
