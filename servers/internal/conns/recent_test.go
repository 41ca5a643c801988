package conns

import (
	"strconv"
	"testing"
	"time"
)

func TestRecent(t *testing.T) {
	var r Recent
	t0 := time.Now()
	r.Heard("a", t0, time.Second)
	r.Heard("b", t0.Add(500*time.Millisecond), time.Second)
	if n := r.Count(t0.Add(time.Second), time.Second); n != 2 {
		t.Errorf("Count = %d, want 2", n)
	}
	if n := r.Count(t0.Add(1200*time.Millisecond), time.Second); n != 1 {
		t.Errorf("Count after a's window = %d, want 1", n)
	}
	// A flood of new peers never holds more than the bound.
	for i := range maxRecent + 10 {
		r.Heard(strconv.Itoa(i), t0, time.Hour)
	}
	r.mu.Lock()
	n := len(r.peers)
	r.mu.Unlock()
	if n > maxRecent {
		t.Errorf("%d peers remembered, past the bound %d", n, maxRecent)
	}
}
