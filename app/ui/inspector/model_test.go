package inspector

import (
	"fmt"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

func TestModelRealExchange(t *testing.T) {
	h, _, p := newLab(0)
	sub := h.Subscribe(true)
	defer sub.Close()
	addr := echoServer(t, h.Tap(p))
	id := exchange(t, h.Tap(p), addr, "hello", "how are you", "quit")
	waitEnded(t, h, id)

	m := NewModel(0)
	m.Feed(sub.Next(0))
	c := m.Conv(id)
	if c == nil {
		t.Fatalf("model has no conversation %d", id)
	}
	want := []struct {
		dir     lab.Dir
		summary string
	}{
		{lab.ClientToServer, "hello"}, {lab.ServerToClient, "hello"},
		{lab.ClientToServer, "how are you"}, {lab.ServerToClient, "how are you"},
		{lab.ClientToServer, "quit"}, {lab.ServerToClient, "quit"},
	}
	if c.Len() != len(want) {
		t.Fatalf("rows = %d, want %d", c.Len(), len(want))
	}
	for i, w := range want {
		e := m.Row(c, i)
		if e.Msg == nil || e.Msg.Summary != w.summary || e.Dir != w.dir {
			t.Errorf("row %d = %v %+v, want %v %q", i, e.Dir, e.Msg, w.dir, w.summary)
		}
	}
	if got := c.Path("line"); len(got) != 2 || got[0] != "talking" || got[1] != "done" {
		t.Errorf("path = %q, want [talking done]", got)
	}
	if info := h.Conversation(id).Info(false); info.State != "done" {
		t.Errorf("hub state = %q, want done", info.State)
	}
	var opens, closes int
	for _, e := range m.Notes(c) {
		switch e.Kind {
		case lab.KindOpen:
			opens++
		case lab.KindClose:
			closes++
		}
	}
	if opens != 2 || closes == 0 {
		t.Errorf("notes: %d opens, %d closes; want 2 (both taps) and at least 1", opens, closes)
	}
	if cl := c.Closing(); cl == nil || cl.Text != "the client sent FIN" {
		t.Errorf("closing = %+v, want the client's FIN", c.Closing())
	}
	if m.Dropped() != 0 {
		t.Errorf("Dropped = %d, want 0", m.Dropped())
	}
	if touched := m.TakeTouched(); len(touched) != 1 {
		t.Errorf("touched = %v, want just %d", touched, id)
	}
	if touched := m.TakeTouched(); len(touched) != 0 {
		t.Errorf("touched after taking = %v, want none", touched)
	}
}

// message returns a KindMessage event of conversation id with a summary of n bytes.
func message(id lab.ConvID, i int) lab.Event {
	dir := lab.ClientToServer
	if i%2 == 1 {
		dir = lab.ServerToClient
	}
	return lab.Event{Conv: id, Kind: lab.KindMessage, Dir: dir, Layer: "line", At: time.Unix(0, int64(i)),
		Msg: &lab.Message{Dir: dir, Summary: fmt.Sprintf("message %d", i), Observed: true}}
}

func TestModelBoundForgetsOldestRows(t *testing.T) {
	const max = 64 << 10
	m := NewModel(max)
	for i := 0; i < 5000; i++ {
		m.Feed([]lab.Event{message(1, i), message(2, i)}, 0)
		if m.Bytes() > max {
			t.Fatalf("after %d events the model holds %d bytes, bound %d", 2*(i+1), m.Bytes(), max)
		}
	}
	for _, id := range []lab.ConvID{1, 2} {
		c := m.Conv(id)
		if c.Len() == 0 || c.Lost() == 0 {
			t.Fatalf("conversation %d: %d rows, %d lost; want both > 0", id, c.Len(), c.Lost())
		}
		if c.Len()+c.Lost() != 5000 {
			t.Errorf("conversation %d: %d rows + %d lost, want 5000", id, c.Len(), c.Lost())
		}
		for _, i := range []int{0, c.Len() - 1} {
			want := fmt.Sprintf("message %d", i+c.Lost())
			if got := m.Row(c, i).Msg.Summary; got != want {
				t.Errorf("conversation %d row %d = %q, want %q", id, i, got, want)
			}
		}
	}
	if got := m.Dropped(); got != uint64(m.Conv(1).Lost()+m.Conv(2).Lost()) {
		t.Errorf("Dropped = %d, want the rows lost %d", got, m.Conv(1).Lost()+m.Conv(2).Lost())
	}
}

func TestModelForgetsConversationWithNothingLeft(t *testing.T) {
	m := NewModel(8 << 10)
	m.Feed([]lab.Event{message(1, 0)}, 0)
	for i := 0; i < 200; i++ {
		m.Feed([]lab.Event{message(2, i)}, 0)
	}
	if m.Conv(1) != nil {
		t.Errorf("conversation 1 still held after all its events were forgotten")
	}
	if m.Conv(2) == nil {
		t.Errorf("conversation 2 forgotten")
	}
}

func TestModelCountsMissed(t *testing.T) {
	h := lab.NewHub(lab.HubOptions{MaxBytes: 16 << 10})
	sub := h.Subscribe(true)
	for i := 0; i < 1000; i++ {
		h.Publish(message(1, i))
	}
	m := NewModel(h.Options().MaxBytes)
	evs, missed := sub.Next(0)
	m.Feed(evs, missed)
	if missed == 0 || m.Missed() != missed || m.Dropped() < missed {
		t.Errorf("missed %d; model Missed %d Dropped %d", missed, m.Missed(), m.Dropped())
	}
	if c := m.Conv(1); c == nil || c.Len() != len(evs) {
		t.Fatalf("model holds %v, want %d rows", c, len(evs))
	}
	if got, want := m.Row(m.Conv(1), 0).Msg.Summary, evs[0].Msg.Summary; got != want {
		t.Errorf("first row = %q, want %q", got, want)
	}
	m.Reset()
	if m.Conv(1) != nil || m.Dropped() != 0 || m.Bytes() != 0 {
		t.Errorf("after Reset: conv %v, dropped %d, bytes %d", m.Conv(1), m.Dropped(), m.Bytes())
	}
}

// BenchmarkModelFeed100k appends 100,000 messages to one conversation in batches
// of 1,000 (what one Update sees under heavy traffic); ns/op is per batch.
func BenchmarkModelFeed100k(b *testing.B) {
	evs := make([]lab.Event, 100_000)
	for i := range evs {
		evs[i] = message(1, i)
	}
	b.ReportAllocs()
	for b.Loop() {
		m := NewModel(0)
		for i := 0; i < len(evs); i += 1000 {
			m.Feed(evs[i:i+1000], 0)
			m.TakeTouched()
		}
		if m.Conv(1).Len()+m.Conv(1).Lost() != len(evs) {
			b.Fatal("rows lost")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/100, "ns/batch")
}
