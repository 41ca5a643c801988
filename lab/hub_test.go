package lab

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestHubPublishAndSubscribe(t *testing.T) {
	h := NewHub(HubOptions{})
	s := h.Subscribe(false)
	for i := 0; i < 10; i++ {
		h.Publish(Event{Kind: KindData, Data: []byte{byte(i)}})
	}
	select {
	case <-s.Ready():
	default:
		t.Fatal("Ready not signalled after Publish")
	}
	evs, missed := s.Next(4)
	if len(evs) != 4 || missed != 0 {
		t.Fatalf("Next(4) = %d events, %d missed; want 4, 0", len(evs), missed)
	}
	evs2, _ := s.Next(0)
	if len(evs2) != 6 {
		t.Fatalf("Next(0) = %d events, want 6", len(evs2))
	}
	all := append(evs, evs2...)
	for i, e := range all {
		if e.Seq != uint64(i+1) || e.Data[0] != byte(i) {
			t.Errorf("event %d: seq %d data %v", i, e.Seq, e.Data)
		}
		if e.At.IsZero() {
			t.Errorf("event %d has no time", i)
		}
	}
	if evs, _ := s.Next(0); len(evs) != 0 {
		t.Errorf("Next after draining = %d events, want 0", len(evs))
	}
}

func TestHubBoundDropsOldestAndReportsMissed(t *testing.T) {
	const max = 64 << 10
	h := NewHub(HubOptions{MaxBytes: max})
	slow := h.Subscribe(true)
	payload := bytes.Repeat([]byte("x"), 1000)
	const n = 10_000
	for i := 0; i < n; i++ {
		h.Publish(Event{Kind: KindData, Data: payload})
	}
	st := h.Stats()
	if st.Bytes > max {
		t.Errorf("hub holds %d bytes, bound is %d", st.Bytes, max)
	}
	if st.Events == 0 || st.Events > max/1000 {
		t.Errorf("hub holds %d events, want between 1 and %d", st.Events, max/1000)
	}
	if st.LastSeq != n {
		t.Errorf("LastSeq = %d, want %d", st.LastSeq, n)
	}
	if got := st.Dropped + uint64(st.Events); got != n {
		t.Errorf("dropped %d + held %d = %d, want %d", st.Dropped, st.Events, got, n)
	}
	evs, missed := slow.Next(0)
	if missed != st.Dropped {
		t.Errorf("slow reader missed %d, want %d", missed, st.Dropped)
	}
	if len(evs) != st.Events || evs[len(evs)-1].Seq != n {
		t.Errorf("slow reader got %d events ending at %d, want %d ending at %d", len(evs), evs[len(evs)-1].Seq, st.Events, n)
	}
}

func TestHubBoundHoldsUnderConcurrentFlood(t *testing.T) {
	const max = 256 << 10
	h := NewHub(HubOptions{MaxBytes: max})
	sub := h.Subscribe(false)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			data := make([]byte, 512)
			for i := 0; i < 20_000; i++ {
				h.Publish(Event{Kind: KindData, Data: data})
			}
		}()
	}
	done := make(chan struct{})
	var got, missed uint64
	go func() {
		defer close(done)
		for got+missed < 8*20_000 {
			evs, m := sub.Next(100)
			got += uint64(len(evs))
			missed += m
			if len(evs) == 0 && m == 0 {
				<-sub.Ready() // drained: wait for more
			}
		}
	}()
	wg.Wait()
	<-done
	if st := h.Stats(); st.Bytes > max {
		t.Errorf("hub holds %d bytes after flood, bound %d", st.Bytes, max)
	}
	if got+missed != 8*20_000 {
		t.Errorf("reader saw %d + missed %d, want %d in all", got, missed, 8*20_000)
	}
}

func TestHubClear(t *testing.T) {
	h := NewHub(HubOptions{})
	s := h.Subscribe(true)
	h.Publish(Event{Kind: KindData, Data: []byte("a")})
	h.Clear()
	if st := h.Stats(); st.Events != 0 || st.Bytes != 0 {
		t.Errorf("after Clear: %d events, %d bytes", st.Events, st.Bytes)
	}
	evs, missed := s.Next(0)
	if len(evs) != 0 || missed != 1 {
		t.Errorf("after Clear: Next = %d events, %d missed; want 0, 1", len(evs), missed)
	}
	h.Publish(Event{Kind: KindData, Data: []byte("b")})
	evs, _ = s.Next(0)
	if len(evs) != 1 || string(evs[0].Data) != "b" {
		t.Errorf("after Clear and Publish: %v", evs)
	}
}

func TestHubPaused(t *testing.T) {
	h := NewHub(HubOptions{})
	h.SetPaused(true)
	if seq := h.Publish(Event{Kind: KindData}); seq != 0 {
		t.Errorf("Publish while paused = seq %d, want 0", seq)
	}
	h.SetPaused(false)
	if seq := h.Publish(Event{Kind: KindData}); seq != 1 {
		t.Errorf("Publish after resume = seq %d, want 1", seq)
	}
}

func BenchmarkHubPublish(b *testing.B) {
	for _, subs := range []int{0, 2} {
		b.Run(fmt.Sprintf("subscribers=%d", subs), func(b *testing.B) {
			h := NewHub(HubOptions{MaxBytes: 16 << 20})
			for i := 0; i < subs; i++ {
				h.Subscribe(false)
			}
			// Taps stamp events themselves; Publish only stamps events without a time.
			e := Event{Kind: KindData, Data: make([]byte, 64), At: time.Now()}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				h.Publish(e)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mevents/s")
		})
	}
	b.Run("parallel", func(b *testing.B) {
		h := NewHub(HubOptions{MaxBytes: 16 << 20})
		e := Event{Kind: KindData, Data: make([]byte, 64), At: time.Now()}
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				h.Publish(e)
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mevents/s")
	})
}
