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

// BenchmarkFilter1M measures applying a display filter to 1,000,000 messages
// over 10,000 conversations: the list's conversations are tested on their own
// and through their messages, and the shown one's rows are narrowed. One op is
// one whole application (aim: ≤ 1 s).
func BenchmarkFilter1M(b *testing.B) {
	const convs, per = 10_000, 100
	h, reg, _ := newLab(1 << 30)
	in := newTestInspector(b, h, reg)
	evs := make([]lab.Event, 0, convs*per)
	for i := range per {
		for c := range convs {
			evs = append(evs, message(lab.ConvID(c+1), i))
		}
	}
	in.model.Feed(evs, 0)
	in.convs.all = make([]lab.ConvInfo, convs)
	for c := range convs {
		in.convs.all[c] = lab.ConvInfo{ID: lab.ConvID(c + 1), Protocol: "line", Transport: "tcp",
			Client: fmt.Sprintf("127.0.0.1:%d", 20000+c), Server: "127.0.0.1:7007", Messages: per}
		in.convs.byID[lab.ConvID(c+1)] = c
	}
	for _, src := range []string{`text contains "message 99"`, `dir == s2c and text matches "^message 4[0-9]$"`, "line and not rst"} {
		b.Run(src, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := in.SetFilter(""); err != nil {
					b.Fatal(err)
				}
				if err := in.SetFilter(src); err != nil {
					b.Fatal(err)
				}
			}
			if len(in.convs.rows) != convs || in.Selected() != convs {
				b.Fatalf("%d conversations listed, %d shown; want all %d, the newest shown", len(in.convs.rows), in.Selected(), convs)
			}
			b.ReportMetric(float64(in.msgs.list.Length()), "rows-shown")
		})
	}
}
