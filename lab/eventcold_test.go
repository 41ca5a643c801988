package lab

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// constFill builds the same fields and meaning every time, from what it kept.
type constFill struct{ n int }

func (f *constFill) Fill(m *Message) ([]Field, string) {
	return []Field{{Name: "kept", Value: fmt.Sprint(f.n, len(m.Raw))}}, fmt.Sprintf("filled %d", f.n)
}

// sharedFills are fillers several messages share.
var sharedFills = []*constFill{{n: -1}, {n: -2}, {n: -3}}

// randomMessage is a message of every shape freeze writes out: texts empty,
// constant, made and long; Raw and Fields nil, empty and full; deferred or not.
func randomMessage(r *rand.Rand, i int) *Message {
	text := func() string {
		switch r.IntN(5) {
		case 0:
			return ""
		case 1:
			return "a constant text"
		case 2:
			return fmt.Sprintf("made text %d", r.IntN(1000))
		case 3:
			return strings.Repeat("long ", r.IntN(400))
		}
		return string(rune(r.IntN(0x2000)))
	}
	m := &Message{
		Dir: Dir(r.IntN(3)), Handshake: r.IntN(2) == 0, Teardown: r.IntN(2) == 0, Observed: r.IntN(2) == 0,
		Role: Role(r.IntN(3)), Summary: text(), Meaning: text(), Ref: text(), NextState: text(), Layer: text(), Pair: text(),
		rawOwned: r.IntN(2) == 0,
	}
	m.Holds(r.IntN(5000))
	switch r.IntN(3) {
	case 0:
	case 1:
		m.Raw = []byte{}
	default:
		m.Raw = make([]byte, 1+r.IntN(3000))
		for k := range m.Raw {
			m.Raw[k] = byte(r.IntN(256))
		}
	}
	switch r.IntN(3) {
	case 0:
	case 1:
		m.Fields = []Field{}
	default:
		for range 1 + r.IntN(20) {
			m.Fields = append(m.Fields, Field{Name: text(), Value: text(), Off: r.IntN(100) - 10, Len: r.IntN(100)})
		}
	}
	switch r.IntN(6) {
	case 0:
		m.DeferTo(&constFill{n: i}) // its own
	case 1:
		m.DeferTo(sharedFills[r.IntN(len(sharedFills))]) // shared with others, as a result's rows share theirs
	case 2:
		k := r.IntN(2)
		m.Defer(func(m *Message) ([]Field, string) { // a closure, made anew but the same
			return []Field{{Name: "closure", Value: fmt.Sprint(k, len(m.Raw))}}, ""
		})
	}
	if r.IntN(20) == 0 {
		m.Pub = &Publication{Subject: "a/b"}
	}
	return m
}

// TestColdMessagesAsTheyWere: a frozen message reads back equal to the one
// published, field by field, in every shape, and its fields are built as
// they would have been.
func TestColdMessagesAsTheyWere(t *testing.T) {
	h := NewHub(HubOptions{MaxBytes: 1 << 40})
	h.log.hot = 0 // every message frozen as it is logged
	r := rand.New(rand.NewPCG(1, 2))
	var sent []*Message
	for i := range 20000 {
		m := randomMessage(r, i)
		sent = append(sent, m)
		h.Publish(Event{Conv: 1, Kind: KindMessage, Layer: "x", Msg: m})
	}
	cold := 0
	h.mu.Lock()
	for i := range h.log.len() {
		if head, _, _ := h.log.place(i); head.frozen() {
			cold++
		}
	}
	h.mu.Unlock()
	if cold < len(sent)*9/10 {
		t.Fatalf("%d of %d messages frozen", cold, len(sent))
	}
	fills, deferred := 0, 0
	for _, c := range h.log.chunks {
		fills += len(c.fills)
	}
	for _, m := range sent {
		if m.fill != nil {
			deferred++
		}
	}
	if fills > deferred*3/4 {
		t.Errorf("%d messages deferred keep %d fillers: shared ones are not kept once a chunk", deferred, fills)
	}
	got := h.Events(0)
	if len(got) != len(sent) {
		t.Fatalf("%d events, want %d", len(got), len(sent))
	}
	for i, e := range got {
		want, m := *sent[i], *e.Msg
		if !reflect.DeepEqual(m.Fields, want.Fields) || (m.Raw == nil) != (want.Raw == nil) {
			t.Fatalf("message %d: fields %#v raw %v, want %#v raw %v", i, m.Fields, m.Raw == nil, want.Fields, want.Raw == nil)
		}
		wf, mf := want.fill, m.fill
		want.fill, m.fill = nil, nil
		if !reflect.DeepEqual(m, want) {
			t.Fatalf("message %d:\n%#v\nwant\n%#v", i, m, want)
		}
		if (wf == nil) != (mf == nil) {
			t.Fatalf("message %d: deferred %v, want %v", i, mf != nil, wf != nil)
		}
		want.fill, m.fill = wf, mf
		gf, gm := m.Detail()
		wfs, wm := want.Detail()
		if !reflect.DeepEqual(gf, wfs) || gm != wm {
			t.Fatalf("message %d: detail %v %q, want %v %q", i, gf, gm, wfs, wm)
		}
	}
}

// TestTextsKeepCopies: the table of texts keeps a copy of each, never what
// the text pointed into, finds a text again wherever it lies, and numbers no
// more than maxInterned.
func TestTextsKeepCopies(t *testing.T) {
	var tt texts
	captured := []byte("Host: www.lab.test")
	name := unsafe.String(&captured[0], 4)
	id, ok := tt.id(name, maxInterned)
	if !ok || tt.list[id] != "Host" || unsafe.StringData(tt.list[id]) == &captured[0] {
		t.Fatalf("id = %d, %v; kept %q at the captured bytes: %v", id, ok, tt.list[id], unsafe.StringData(tt.list[id]) == &captured[0])
	}
	copy(captured, "Xost") // the captured bytes reused: the text found there is another
	if again, _ := tt.id(name, maxInterned); again == id {
		t.Errorf("%q found as %q", name, tt.list[id])
	}
	if again, _ := tt.id(strings.Clone("Host"), maxInterned); again != id {
		t.Errorf("Host elsewhere is %d, want %d", again, id)
	}
	for i := range 2 * maxInterned {
		tt.id(fmt.Sprint("text ", i), maxInterned)
	}
	if _, ok := tt.id("one more", maxInterned); ok || len(tt.list) > maxInterned+1 {
		t.Errorf("the table holds %d texts and numbered one more: %v", len(tt.list), ok)
	}
}

// BenchmarkFreeze publishes messages into a hub at its bound, frozen at once
// ("cold") or kept as published ("hot"): the difference is what writing a
// message out costs, against what the collector saves marking it.
func BenchmarkFreeze(b *testing.B) {
	raw := make([]byte, 64)
	fields := []Field{{Name: "length", Value: "64"}, {Name: "type", Value: "RowDescription (T)"},
		{Name: "column 1", Value: "?column? int4"}, {Name: "format", Value: "text"}}
	for _, shape := range []string{"deferred", "fields"} {
		for _, cold := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/cold=%v", shape, cold), func(b *testing.B) {
				h := NewHub(HubOptions{MaxBytes: 16 << 20})
				if cold {
					h.log.hot = 0
				} else {
					h.log.hot = 1 << 30
					h.Subscribe(false) // a reader that reads nothing: every event stays hot
				}
				ms := make([]Message, 1024)
				for i := range ms {
					ms[i] = Message{Dir: ClientToServer, Observed: true, Summary: fmt.Sprintf("datagram %d: 64 bytes", i),
						Meaning: "A datagram, as the tap saw it.", Ref: "RFC 768", Raw: raw}
					if shape == "deferred" {
						ms[i].DeferTo(&constFill{n: i})
					} else {
						ms[i].Fields = fields
					}
				}
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					h.Publish(Event{Kind: KindMessage, Layer: "udp", Msg: &ms[i%len(ms)], At: time.Now()})
				}
			})
		}
	}
}

// TestColdWhileReading: a reader reads frozen events, and the texts made
// anew from them, while the hub goes on logging and freezing others.
func TestColdWhileReading(t *testing.T) {
	h := NewHub(HubOptions{MaxBytes: 1 << 40})
	h.log.hot = 8
	const n = 20000
	sub := h.Subscribe(true)
	done := make(chan error, 1)
	go func() {
		next := 0
		for next < n {
			<-sub.Ready()
			evs, missed := sub.Next(0)
			if missed > 0 {
				done <- fmt.Errorf("missed %d", missed)
				return
			}
			for _, e := range evs {
				if want := fmt.Sprintf("message %d", next); e.Msg.Summary != want || string(e.Msg.Raw) != want {
					done <- fmt.Errorf("event %d: %q, raw %q, want %q", next, e.Msg.Summary, e.Msg.Raw, want)
					return
				}
				next++
			}
		}
		done <- nil
	}()
	for i := range n {
		s := fmt.Sprintf("message %d", i)
		h.Publish(Event{Conv: 1, Kind: KindMessage, Layer: "x", Msg: &Message{Summary: s, Meaning: "the same meaning", Raw: []byte(s)}})
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestHotWhileUnread: with no reader, all but the newest hotMin events are
// frozen; what a subscription has yet to read stays hot, up to coldAfter.
func TestHotWhileUnread(t *testing.T) {
	h := NewHub(HubOptions{MaxBytes: 1 << 40})
	publish := func(n int) {
		for range n {
			h.Publish(Event{Conv: 1, Kind: KindMessage, Layer: "x", Msg: &Message{Summary: "m"}})
		}
	}
	hot := func() int {
		h.mu.Lock()
		defer h.mu.Unlock()
		n := 0
		for i := range h.log.len() {
			if head, _, _ := h.log.place(i); head.ref == refMsg {
				n++
			}
		}
		return n
	}
	publish(3 * hotMin)
	if got := hot(); got > hotMin+2 {
		t.Errorf("no reader: %d events hot, want %d", got, hotMin)
	}
	sub := h.Subscribe(false)
	publish(4 * hotMin)
	if got := hot(); got < 4*hotMin {
		t.Errorf("a reader behind by %d: %d events hot", 4*hotMin, got)
	}
	publish(coldAfter)
	if got := hot(); got > coldAfter+2 {
		t.Errorf("a reader behind by %d: %d events hot, want %d at most", 4*hotMin+coldAfter, got, coldAfter)
	}
	for range coldAfter / 100 { // a reader that keeps up: two frozen a publish catch up
		sub.Next(0)
		publish(100)
	}
	if got := hot(); got > hotMin+100 {
		t.Errorf("the reader caught up: %d events hot, want %d", got, hotMin)
	}
}
