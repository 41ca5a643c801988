package lab

import (
	"math/rand/v2"
	"slices"
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
