package lab

import (
	"math/rand/v2"
	"testing"
)

// TestEventLog drives the chunked log and a plain slice with the same pushes
// and pops, across chunk boundaries, and compares what they hold.
func TestEventLog(t *testing.T) {
	var l eventLog
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
		}
	}
	for round := range 200 {
		for range rng.IntN(3 * chunkLen) {
			seq++
			e := Event{Seq: seq}
			if p := l.push(e); p.Seq != seq {
				t.Fatalf("push returned seq %d, want %d", p.Seq, seq)
			}
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
