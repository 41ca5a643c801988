package lab

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/protocollab/protolab/internal/mem"
)

// TestEventLog drives the chunked log and a plain slice with the same pushes
// and pops, across chunk boundaries, and compares what they hold.
func TestEventLog(t *testing.T) {
	l := eventLog{hot: 100} // the older messages frozen (eventcold.go), the newest not
	var want []Event
	rng := rand.New(rand.NewPCG(1, 2))
	seq := uint64(0)
	check := func() {
		t.Helper()
		if l.len() != len(want) {
			t.Fatalf("len %d, want %d", l.len(), len(want))
		}
		if len(want) == 0 {
			return
		}
		for _, i := range []int{0, len(want) / 2, len(want) - 1} {
			if got := l.at(i).Seq; got != want[i].Seq {
				t.Fatalf("at(%d) = seq %d, want %d", i, got, want[i].Seq)
			}
		}
		if len(want) > 1000 {
			if h, _, _ := l.place(len(want) - 1000); !h.frozen() && h.ref != refNone {
				t.Fatalf("an event 1,000 from the newest holds its message as published (ref %d)", h.ref)
			}
		}
		i := rng.IntN(len(want))
		j := i + rng.IntN(len(want)-i+1)
		got := l.appendRange([]Event{{Seq: 0}}, i, j)
		if len(got) != 1+j-i {
			t.Fatalf("appendRange(%d, %d) gave %d events", i, j, len(got)-1)
		}
		for k, e := range got[1:] {
			if e.Seq != want[i+k].Seq {
				t.Fatalf("appendRange(%d, %d)[%d] = seq %d, want %d", i, j, k, e.Seq, want[i+k].Seq)
			}
			if w := want[i+k].Msg; (e.Msg == nil) != (w == nil) || w != nil && e.Msg.Summary != w.Summary {
				t.Fatalf("appendRange(%d, %d)[%d] = message %v, want %v", i, j, k, e.Msg, w)
			}
		}
	}
	for round := range 200 {
		for range rng.IntN(3 * chunkLen) {
			seq++
			e := Event{Seq: seq}
			if seq%3 == 0 {
				e.Kind, e.Msg = KindMessage, &Message{Summary: fmt.Sprint("message ", seq)}
			}
			l.push(&e)
			want = append(want, e)
		}
		check()
		pops := rng.IntN(len(want) + 1)
		if round%10 == 9 {
			pops = len(want) // empty it now and then
		}
		for range pops {
			l.popFront()
		}
		want = want[pops:]
		check()
		if len(l.chunks) > (len(want)+l.head)/chunkLen+1 {
			t.Fatalf("%d chunks for %d events from %d", len(l.chunks), len(want), l.head)
		}
	}
	l.reset()
	want = nil
	check()
}

// TestEventLogHoldsEvents checks that the log gives back each event as it was
// pushed, every field, though it holds them in parts: bytes nil, empty and
// not, names and zones from their tables and, once a table is full, beside
// the event, times with and without a monotonic reading.
func TestEventLogHoldsEvents(t *testing.T) {
	if n := unsafe.Sizeof(heldHead{}) + unsafe.Sizeof(unsafe.Pointer(nil)); n > 64 {
		t.Errorf("the log holds an event in %d bytes, more than the 64 its bound and the collector's cost were measured with", n)
	}
	if !timeLayout {
		t.Error("this Go's time.Time is not laid out as timeParts: every event's time is kept beside it")
	}
	var l eventLog
	msg := &Message{Summary: "GET / HTTP/1.1"}
	at := time.Now()
	slab := []byte("GET / HTTP/1.1\r\n\r\nHTTP/1.1 200 OK\r\n")
	events := []Event{
		{Seq: 1, At: at, Conv: 3, Kind: KindOpen, Side: SideServer, Layer: "tcp", Text: "open: 127.0.0.1:1 → 127.0.0.1:2"},
		{Seq: 2, At: at.Add(time.Microsecond), Conv: 3, Kind: KindData, Dir: ClientToServer, Side: SideServer, Layer: "tcp", Data: slab[:18:18], cost: 200},
		{Seq: 3, At: at.UTC(), Conv: 3, Kind: KindData, Dir: ServerToClient, Side: SideClient, Layer: "tcp", Data: []byte{}, shared: true},
		{Seq: 4, At: time.Unix(5, 6).In(time.FixedZone("lab", 3600)), Conv: 3, Kind: KindMessage, Dir: ClientToServer, Layer: "http", Msg: msg},
		{Seq: 5, Conv: 4, Kind: KindState, Layer: "http", From: "idle", To: "request"},
		{Seq: 6, Conv: 4, Kind: KindState, Layer: "http", From: "request", To: "idle"},
		{Seq: 7, Conv: 4, Kind: KindState, Layer: "http", From: "", To: "idle"},
		{Seq: 8, Conv: 4, Kind: KindClose, Layer: "", Text: "FIN"},
		{Seq: 9, Conv: 4, Kind: KindError, Layer: "tcp", Data: slab[18:], Text: "only part of the bytes was sent"},
		{Seq: 10, Conv: 4, Kind: KindMessage, Layer: "http", Msg: msg, Text: "a note"},
		{Seq: 11, Conv: 4, Kind: KindData, Layer: "tcp", Data: []byte{}, Msg: msg},
	}
	for i := range events {
		l.push(&events[i])
	}
	// Fill the table of names, then push events whose names it has no room for.
	for i := len(l.names.list); i < int(overflowID); i++ {
		l.names.id(fmt.Sprint("state ", i))
	}
	// And the table of zones.
	for i := len(l.zones.list); i < int(zoneBeside)-1; i++ {
		l.zones.id(time.FixedZone(fmt.Sprint("zone ", i), i*60))
	}
	over := []Event{
		{Seq: 12, Conv: 5, Kind: KindState, Layer: "a new layer", From: "idle", To: "a new state"},
		{Seq: 13, Conv: 5, Kind: KindState, Layer: "http", From: "idle", To: "request"},
		{Seq: 14, At: at.In(time.FixedZone("one zone too many", -3600)), Conv: 5, Kind: KindState, Layer: "http"},
		{Seq: 15, At: at.Add(time.Second), Conv: 5, Kind: KindState, Layer: "http"},
	}
	for i := range over {
		l.push(&over[i])
	}
	events = append(events, over...)
	var many, names, zones int
	for i := range l.len() {
		h, _, _ := l.place(i)
		if h.ref == refMany {
			many++
		}
		if h.layer == overflowID {
			names++
		}
		if h.zone == zoneBeside {
			zones++
		}
	}
	if many != 3 || names != 1 || zones != 1 || len(l.beside) != 5 {
		t.Errorf("%d events keep their pointers beside them (want the 3 with more than one), %d their names (want 1), %d their time (want 1): %d kept beside, want 5",
			many, names, zones, len(l.beside))
	}
	got := l.appendRange(nil, 0, l.len())
	for i, e := range events {
		if !reflect.DeepEqual(got[i], e) {
			t.Errorf("event %d:\n got %#v\nwant %#v", i, got[i], e)
		}
		if got[i].At != e.At { // the same readings and the same zone, not only the same instant
			t.Errorf("event %d: time %v, want %v", i, got[i].At, e.At)
		}
		if g := l.at(i); !reflect.DeepEqual(g, e) {
			t.Errorf("at(%d):\n got %#v\nwant %#v", i, g, e)
		}
	}
	if got[1].Data == nil || &got[1].Data[0] != &slab[0] || cap(got[1].Data) != 18 {
		t.Error("a data event's bytes are not the bytes pushed")
	}
	if got[2].Data == nil || got[0].Data != nil {
		t.Error("empty bytes came back nil, or none came back empty")
	}
	for range l.len() {
		l.popFront()
	}
	if len(l.beside) != 0 {
		t.Errorf("%d events' pointers, names or times kept beside events no longer held", len(l.beside))
	}
}

// TestLogHomes: data events whose bytes share slabs hold one pointer a slab
// a chunk, and frozen messages whose Raw lies in them none; what the log
// gives back is what was pushed, after collections that would have reused
// a slab the log let go of, across chunks dropped and reused; and the log
// lets go of a slab when it drops the last event in it, not with its chunk.
func TestLogHomes(t *testing.T) {
	l := eventLog{hot: 64}
	rng := rand.New(rand.NewPCG(3, 4))
	type conv struct {
		slab []byte
		last []byte // the newest data event's bytes
	}
	convs := make([]conv, 5)
	var want []Event
	var wantBytes [][]byte // a copy of each event's Data, or its message's Raw
	seq := uint64(0)
	push := func(e Event, b []byte) {
		seq++
		e.Seq = seq
		l.push(&e)
		want = append(want, e)
		wantBytes = append(wantBytes, bytes.Clone(b))
	}
	check := func() {
		t.Helper()
		runtime.GC()
		for range 64 { // what a slab let go of would be reused for
			junk := make([]byte, 4<<10)
			for i := range junk {
				junk[i] = 0xee
			}
			runtime.KeepAlive(junk)
		}
		for ci, c := range l.chunks {
			used := map[int]bool{}
			from := 0
			if ci == 0 {
				from = l.head
			}
			for _, h := range c.heads[from:] {
				if h.ref == refHome || h.ref == refColdHome {
					idx, _, _ := homeParts(h.n)
					used[idx] = true
				}
			}
			for k, p := range c.homes {
				if p != nil && !used[k] {
					t.Fatalf("chunk %d keeps slab %d, in none of the events it holds", ci, k)
				}
			}
		}
		got := l.appendRange(nil, 0, l.len())
		for i, e := range got {
			w := want[i]
			b := e.Data
			if e.Msg != nil {
				b = e.Msg.Raw
			}
			if e.Seq != w.Seq || !bytes.Equal(b, wantBytes[i]) || e.Data != nil && cap(e.Data) != len(e.Data) {
				t.Fatalf("event %d (seq %d, ref %d): bytes %q (cap %d), want seq %d %q", i, e.Seq, l.ref(i), b, cap(e.Data), w.Seq, wantBytes[i])
			}
		}
	}
	for round := range 12 {
		for range chunkLen + rng.IntN(chunkLen) {
			k := rng.IntN(len(convs))
			c := &convs[k]
			if rng.IntN(3) > 0 || c.last == nil {
				n := 1 + rng.IntN(300)
				if cap(c.slab)-len(c.slab) < n {
					c.slab = mem.Room(4 << 10)
				}
				at := len(c.slab)
				for range n {
					c.slab = append(c.slab, byte(rng.Uint32()))
				}
				c.last = c.slab[at:len(c.slab):len(c.slab)]
				push(Event{Conv: ConvID(k + 1), Kind: KindData, Data: c.last, home: unsafe.Pointer(unsafe.SliceData(c.slab))}, c.last)
				continue
			}
			// A message of the newest bytes, or (now and then) of a copy.
			i := rng.IntN(len(c.last))
			raw := c.last[i : i+rng.IntN(len(c.last)-i+1)]
			if rng.IntN(5) == 0 {
				raw = bytes.Clone(raw)
			}
			push(Event{Conv: ConvID(k + 1), Kind: KindMessage, Msg: &Message{Summary: fmt.Sprint("message ", seq), Raw: raw}}, raw)
		}
		check()
		pops := rng.IntN(l.len() + 1)
		for range pops {
			l.popFront()
		}
		want, wantBytes = want[pops:], wantBytes[pops:]
		check()
		if round == 0 {
			var refs, homes, homed, coldHomed int
			for _, c := range l.chunks {
				homes += len(c.homes)
				for i := range c.refs {
					if c.refs[i] != nil {
						refs++
					}
					switch c.heads[i].ref {
					case refHome:
						homed++
					case refColdHome:
						coldHomed++
					}
				}
			}
			if homed == 0 || coldHomed == 0 || homes > l.len()/10 || refs > l.len()/3 {
				t.Errorf("%d events hold %d pointers and %d homes: %d data events lie in homes, %d frozen messages", l.len(), refs, homes, homed, coldHomed)
			}
		}
	}
	// A message of the last bytes in a slab keeps the slab after the log
	// drops those bytes' event.
	l.reset()
	want, wantBytes = nil, nil
	slab := mem.Room(64)
	slab = append(slab, "the last bytes in this slab"...)
	push(Event{Conv: 9, Kind: KindData, Data: slab[:len(slab):len(slab)], home: unsafe.Pointer(unsafe.SliceData(slab))}, slab)
	raw := slab[4:14]
	push(Event{Conv: 9, Kind: KindMessage, Msg: &Message{Summary: "last", Raw: raw}}, raw)
	slab = nil
	for range 100 { // the message frozen
		push(Event{Conv: 10, Kind: KindState, Layer: "x"}, nil)
	}
	if l.ref(1) != refColdHome {
		t.Fatalf("the message is held as ref %d", l.ref(1))
	}
	l.popFront()
	want, wantBytes = want[1:], wantBytes[1:]
	check()
}

// BenchmarkLogMark measures what a full log costs the garbage collector: one
// forced collection with the log holding 160,000 events, the six of each of
// 27,000 HTTP requests and answers (their bytes, messages and state changes),
// about what a 64 MiB bound holds of `serve --only http` under load.
func BenchmarkLogMark(b *testing.B) {
	l := eventLog{hot: coldAfter} // as a hub holds it
	seq := uint64(0)
	push := func(e Event) {
		seq++
		e.Seq = seq
		l.push(&e)
	}
	slab := make([]byte, 0, 64<<10)
	for i := range 27000 {
		if cap(slab)-len(slab) < 1700 {
			slab = make([]byte, 0, 64<<10)
		}
		n := len(slab)
		slab = append(slab, make([]byte, 1700)...)
		d := slab[n:len(slab):len(slab)]
		ms := make([]Message, 2)
		ms[0] = Message{Dir: ClientToServer, Summary: fmt.Sprint("GET /", i, " HTTP/1.1"), Raw: d[:100], NextState: "request"}
		ms[1] = Message{Dir: ServerToClient, Summary: "200 OK", Raw: d[100:], NextState: "idle"}
		at := time.Now()
		home := unsafe.Pointer(unsafe.SliceData(slab)) // as the tap gives it (Conversation.keep)
		push(Event{At: at, Conv: 1, Kind: KindData, Dir: ClientToServer, Layer: "tcp", Data: d[:100], home: home})
		push(Event{At: at, Conv: 1, Kind: KindMessage, Dir: ClientToServer, Layer: "http", Msg: &ms[0]})
		push(Event{At: at, Conv: 1, Kind: KindState, Layer: "http", From: "idle", To: "request"})
		push(Event{At: at, Conv: 1, Kind: KindData, Dir: ServerToClient, Layer: "tcp", Data: d[100:], home: home})
		push(Event{At: at, Conv: 1, Kind: KindMessage, Dir: ServerToClient, Layer: "http", Msg: &ms[1]})
		push(Event{At: at, Conv: 1, Kind: KindState, Layer: "http", From: "request", To: "idle"})
	}
	runtime.GC()
	b.ResetTimer()
	for b.Loop() {
		runtime.GC()
	}
	runtime.KeepAlive(&l)
}

// ref is how the log holds its i-th oldest event.
func (l *eventLog) ref(i int) refKind {
	h, _, _ := l.place(i)
	return h.ref
}
