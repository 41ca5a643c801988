package inspector

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// BenchmarkUpdate100k measures one Update that brings 1,000 new messages into a
// shown conversation that already holds 100,000: the cost must not grow with the
// conversation's length. The conversation is a real tapped connection; its
// messages are published straight to the hub to make 100,000 of them quickly.
func BenchmarkUpdate100k(b *testing.B) {
	h, reg, p := newLab(1 << 30)
	in := newTestInspector(b, h, reg)
	addr := echoServer(b, h.Tap(p))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := h.Tap(p).Dial(ctx, "tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	id := lab.ConnConversation(c).ID()
	publish := func(from, n int) {
		for i := from; i < from+n; i++ {
			e := message(id, i)
			e.At = time.Time{}
			h.Publish(e)
		}
	}
	for i := 0; i < 100; i++ {
		publish(i*1000, 1000)
		in.Update()
	}
	if in.Selected() != id || in.seq.ArrowCount() < 100_000 {
		b.Fatalf("shown %d with %d arrows, want %d with 100,000", in.Selected(), in.seq.ArrowCount(), id)
	}
	next := 100_000
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		publish(next, 1000)
		next += 1000
		b.StartTimer()
		in.Update()
	}
	b.StopTimer()
	if got, want := in.seq.ArrowCount(), in.model.Conv(id).Len(); got != want {
		b.Fatalf("%d arrows for %d messages", got, want)
	}
	b.ReportMetric(float64(next), "messages")
}

// BenchmarkShow100k measures selecting a conversation of 100,000 messages.
func BenchmarkShow100k(b *testing.B) {
	h, reg, _ := newLab(1 << 30)
	in := newTestInspector(b, h, reg)
	m := in.model
	evs := make([]lab.Event, 100_000)
	for i := range evs {
		evs[i] = message(7, i)
	}
	m.Feed(evs, 0)
	b.ResetTimer()
	for b.Loop() {
		in.show(7)
	}
	if n := in.seq.ArrowCount(); n != len(evs) {
		b.Fatal(fmt.Sprintf("%d arrows", n))
	}
}
