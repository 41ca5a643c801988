package lab

import (
	"bytes"
	"io"
	"net"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// TestStreamKeptOnce: with both ends tapped, what the reader's tap records
// points at the writer's copy, cut where the writer's writes end, and costs
// only its event; every byte is recorded by both taps, in order.
func TestStreamKeptOnce(t *testing.T) {
	h, tap := testHub(t)
	writes := []string{strings.Repeat("alpha-", 1000), strings.Repeat("beta", 2000), "gamma"}
	addr := tappedServer(t, tap, func(c net.Conn) {
		defer c.Close()
		in := make([]byte, 5)
		if _, err := io.ReadFull(c, in); err != nil {
			return
		}
		for _, w := range writes {
			c.Write([]byte(w))
		}
	})
	c, err := tap.Dial(t.Context(), "tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	// What the client writes before the server's tap joins is the client's
	// alone to keep: wait for it.
	for deadline := time.Now().Add(5 * time.Second); !ConnConversation(c).Info(false).ServerSeen; {
		if time.Now().After(deadline) {
			t.Fatal("the server's tap did not join")
		}
		time.Sleep(time.Millisecond)
	}
	c.Write([]byte("hello"))
	var got []byte
	buf := make([]byte, 3000) // reads that do not fall on the writes' ends
	for {
		n, err := c.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
	}
	id := ConnConversation(c).ID()
	c.Close()
	waitEnded(t, h, id)
	h.Settle()
	if want := strings.Join(writes, ""); string(got) != want {
		t.Fatalf("read %d bytes, want %d", len(got), len(want))
	}

	var written, arrived []Event
	var c2s [3][]Event
	for _, e := range h.ConvEvents(id) {
		switch {
		case e.Kind != KindData:
		case e.Dir == ClientToServer:
			c2s[e.Side] = append(c2s[e.Side], e)
		case e.Side == SideServer:
			written = append(written, e)
		default:
			arrived = append(arrived, e)
		}
	}
	if len(written) != len(writes) {
		t.Fatalf("%d writes recorded, want %d", len(written), len(writes))
	}
	var joined []byte
	for _, e := range arrived {
		joined = append(joined, e.Data...)
		w := writerOf(written, e.Data)
		if w == nil {
			t.Errorf("%d bytes that arrived are not part of one write's copy", len(e.Data))
			continue
		}
		if !e.shared || w.shared || e.cost >= int32(eventCost)+int32(len(e.Data)) {
			t.Errorf("%d bytes that arrived: shared %v, cost %d (the write's %d, shared %v); want them shared, costing only the event",
				len(e.Data), e.shared, e.cost, w.cost, w.shared)
		}
	}
	if string(joined) != string(got) {
		t.Errorf("the client's tap recorded %d bytes, want the %d read, in order", len(joined), len(got))
	}
	if len(c2s[SideClient]) != 1 || len(c2s[SideServer]) != 1 || !c2s[SideServer][0].shared ||
		&c2s[SideServer][0].Data[0] != &c2s[SideClient][0].Data[0] {
		t.Errorf("hello: client's %d events, server's %d; want one each, the server's pointing at the client's copy", len(c2s[SideClient]), len(c2s[SideServer]))
	}
}

// writerOf returns the write event whose bytes hold b, nil if none does.
func writerOf(writes []Event, b []byte) *Event {
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	for i, w := range writes {
		start := uintptr(unsafe.Pointer(unsafe.SliceData(w.Data)))
		if p >= start && p+uintptr(len(b)) <= start+uintptr(len(w.Data)) {
			return &writes[i]
		}
	}
	return nil
}

// TestStreamTake: the reader takes the writer's pieces in order, a part at a
// time up to each piece's end; bytes that differ or that the writer did not
// keep (forgotten past maxSent) are not taken, and the reader copies them.
func TestStreamTake(t *testing.T) {
	var s stream
	a, b := []byte("0123456789"), []byte("abcdef")
	s.write(a, nil, true)
	s.write(b, nil, true)
	own, _, n, ok := s.take([]byte("0123"))
	if !ok || n != 4 || &own[0] != &a[0] {
		t.Fatalf("take 0123 = %q %d %v, want a's first 4 bytes", own, n, ok)
	}
	own, _, n, ok = s.take([]byte("456789abc")) // across the end of a write
	if !ok || n != 6 || &own[0] != &a[4] || s.pieces.head != 1 {
		t.Fatalf("take 456789abc = %q %d %v (head %d), want the rest of a, then a forgotten", own, n, ok, s.pieces.head)
	}
	if _, _, _, ok := s.take([]byte("abX")); ok {
		t.Fatal("bytes that differ from the writer's were taken")
	}
	s.skip(3)
	own, _, n, ok = s.take([]byte("def"))
	if !ok || n != 3 || &own[0] != &b[3] || len(s.pieces.b) != 0 {
		t.Fatalf("take def = %q %d %v (%d pieces left), want b's last 3 and none left", own, n, ok, len(s.pieces.b))
	}

	var far stream
	for i := range maxSent + 10 {
		far.write([]byte{byte(i)}, nil, true)
	}
	if _, _, _, ok := far.take([]byte{0}); ok {
		t.Error("a piece forgotten past maxSent was taken")
	}
	far.skip(1) // the reader copies the byte it could not take
	far.skip(9)
	if own, _, _, ok := far.take([]byte{10}); !ok || !bytes.Equal(own, []byte{10}) {
		t.Errorf("the oldest piece remembered: %v %v", own, ok)
	}
	var none stream
	none.write(a, nil, false) // no reader's tap: counted, not kept
	if _, _, _, ok := none.take(a); ok || none.wrote != int64(len(a)) {
		t.Errorf("taken %v, wrote %d; want nothing kept, %d counted", ok, none.wrote, len(a))
	}
}
