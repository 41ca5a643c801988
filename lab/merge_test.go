package lab

import (
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestMergeOps: across queues, ops run the earliest seen first (the first
// queue first among equals); within one, always in its order, even where its
// times go back, however many queues there are:
// the heap gives the order a plain scan gives.
func TestMergeOps(t *testing.T) {
	// Times with a monotonic clock reading, as the taps take them, and
	// without one, as a time read back from a file.
	for _, t0 := range []time.Time{time.Now(), time.Now().Round(0)} {
		testMergeOps(t, t0)
	}
}

func testMergeOps(t *testing.T, t0 time.Time) {
	r := rand.New(rand.NewPCG(1, 2))
	var q workHeap
	for _, n := range []int{1, 3, 8, 9, 50, 400} {
		ws := make([]work, n)
		for k := range ws {
			ws[k].order = k
			for range r.IntN(6) {
				// Mostly rising times, with ties and the odd step back.
				ws[k].ops = append(ws[k].ops, op{at: t0.Add(time.Duration(r.IntN(40)) * time.Microsecond)})
			}
		}
		want := scanOrder(ws)
		var got [][2]int
		mergeOps(ws, &q, func(w *work) { got = append(got, [2]int{w.order, w.i}) })
		if !slices.Equal(got, want) {
			t.Errorf("%d queues: ran\n%v\nwant\n%v", n, got, want)
		}
	}
}

// scanOrder is the order to run ws's ops in, found by looking at every
// queue's next op each time.
func scanOrder(ws []work) [][2]int {
	next := make([]int, len(ws))
	var out [][2]int
	for {
		best := -1
		for k := range ws {
			if next[k] < len(ws[k].ops) && (best < 0 || ws[k].ops[next[k]].at.Before(ws[best].ops[next[best]].at)) {
				best = k
			}
		}
		if best < 0 {
			return out
		}
		out = append(out, [2]int{best, next[best]})
		next[best]++
	}
}

// BenchmarkMergeOps measures the analysis goroutine's merge of a busy round:
// 50 connections with 4 ops each, ns an op.
func BenchmarkMergeOps(b *testing.B) {
	t0 := time.Now()
	r := rand.New(rand.NewPCG(1, 2))
	ws := make([]work, 50)
	for k := range ws {
		for range 4 {
			ws[k].ops = append(ws[k].ops, op{at: t0.Add(time.Duration(r.IntN(400)) * time.Microsecond)})
		}
	}
	var q workHeap
	ran := 0
	for b.Loop() {
		for k := range ws {
			ws[k].i, ws[k].order = 0, k
		}
		mergeOps(ws, &q, func(*work) { ran++ })
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(ran), "ns/op-merged")
}

// TestChunkPublishesInSeenOrder: however a round's ops run (a chunk's
// conversation by conversation), their events are published in the order the
// ops were seen across conversations, each op's together and as its analyzer
// gave them, and each conversation learns the number of its newest event;
// rounds longer than a chunk too.
func TestChunkPublishesInSeenOrder(t *testing.T) {
	for _, perConv := range []int{3, maxChunk/4 + 7} {
		reg := &Registry{}
		p := &Protocol{Name: "line", Transport: "line", NewAnalyzer: func() Analyzer { return &lineAnalyzer{} }}
		reg.Register(p)
		h := NewHub(HubOptions{Registry: reg})
		server := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 7}
		cs := make([]*Conversation, 9)
		for i := range cs {
			cs[i] = h.attach(p, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000 + i}, server, SideServer, false, OpenInfo{})
		}
		h.Settle()
		for armed := true; armed; time.Sleep(time.Millisecond) { // the opens' analysis goroutine is gone
			h.anMu.Lock()
			armed = h.anArmed
			h.anMu.Unlock()
		}
		for _, c := range cs { // none starts again: the rounds below are the analysis
			c.mu.Lock()
			c.working = true
			c.mu.Unlock()
		}
		r := rand.New(rand.NewPCG(3, 4))
		t0 := time.Now()
		type sent struct {
			at   time.Time
			conv ConvID
			text string
		}
		var all []sent
		for k, c := range cs {
			at := t0
			for j := range perConv {
				at = at.Add(time.Duration(r.IntN(5)) * time.Microsecond) // ties across conversations too
				text := fmt.Sprintf("c%d m%d two lines\nand the second\n", k, j)
				c.data(SideServer, ClientToServer, []byte(text), at)
				all = append(all, sent{at, c.id, text})
			}
		}
		// The order the log must keep: by time, a conversation's in its order,
		// the earlier conversation first among equals.
		slices.SortStableFunc(all, func(a, b sent) int { return a.at.Compare(b.at) })
		first := h.Stats().LastSeq
		round := append([]*Conversation(nil), cs...)
		for len(round) > 0 {
			round = h.analyzeRound(round)
		}
		var want, got []string
		for _, s := range all {
			lines := strings.SplitAfter(s.text, "\n")
			want = append(want, fmt.Sprint(s.conv, " data ", s.text), fmt.Sprint(s.conv, " msg ", strings.TrimSuffix(lines[0], "\n")), fmt.Sprint(s.conv, " msg ", strings.TrimSuffix(lines[1], "\n")))
		}
		newest := map[ConvID]uint64{}
		for _, e := range h.Events(first + 1) {
			newest[e.Conv] = e.Seq
			switch {
			case e.Kind == KindData:
				got = append(got, fmt.Sprint(e.Conv, " data ", string(e.Data)))
			case e.Msg != nil:
				got = append(got, fmt.Sprint(e.Conv, " msg ", e.Msg.Summary))
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%d ops a conversation: published\n%q\nwant\n%q", perConv, got, want)
		}
		for _, c := range cs {
			if c.lastSeq.Load() != newest[c.id] {
				t.Errorf("conversation %d: newest event %d, it was told %d", c.id, newest[c.id], c.lastSeq.Load())
			}
		}
	}
}

// TestNextChunk: a chunk whose ops gave more events than the analysis keeps
// room for makes the next take fewer ops, so that theirs fit half that room;
// chunks that gave few take more again, up to maxChunk, never fewer than
// before for a short chunk at a round's end.
func TestNextChunk(t *testing.T) {
	for _, tt := range []struct{ size, k, events, want int }{
		{maxChunk, maxChunk, 2 * maxChunk, maxChunk},                // 2 events an op: room enough
		{maxChunk, maxChunk, 300 * maxChunk, keptEmitted / 2 / 300}, // a broker's reads: 300 events an op
		{maxChunk, maxChunk, 10000 * maxChunk, 1},                   // never none
		{6, 6, 6 * 300, 6},           // fits: stays
		{6, 6, 10, 12},               // few: doubles
		{maxChunk, 10, 10, maxChunk}, // a round's short last chunk: no smaller
		{300, 300, 300, maxChunk},    // capped
		{100, 100, keptEmitted, 100}, // between: stays
	} {
		if got := nextChunk(tt.size, tt.k, tt.events); got != tt.want {
			t.Errorf("nextChunk(%d, %d, %d) = %d, want %d", tt.size, tt.k, tt.events, got, tt.want)
		}
	}
}

// TestReuse: the room for a chunk's events is kept, emptied, up to
// maxKeptEmitted events, however far past keptEmitted a chunk took it; past
// that, the next chunk starts with room for keptEmitted.
func TestReuse(t *testing.T) {
	for _, tt := range []struct{ cap, want int }{
		{100, 100},
		{keptEmitted + 1000, keptEmitted + 1000},
		{maxKeptEmitted, maxKeptEmitted},
		{maxKeptEmitted + 1, keptEmitted},
	} {
		evs := make([]Event, tt.cap/2, tt.cap)
		for i := range evs {
			evs[i].Conv = 7
		}
		got := reuse(evs)
		if len(got) != 0 || cap(got) != tt.want {
			t.Errorf("reuse of room for %d events: len %d, cap %d; want 0, %d", tt.cap, len(got), cap(got), tt.want)
		}
		if evs[0].Conv != 0 || evs[len(evs)-1].Conv != 0 {
			t.Errorf("reuse of room for %d events left events in it", tt.cap)
		}
	}
}
