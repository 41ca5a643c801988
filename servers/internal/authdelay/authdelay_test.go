package authdelay

import (
	"net"
	"slices"
	"testing"
	"time"
)

var delayTests = []struct {
	base     time.Duration
	failures int
	want     time.Duration
}{
	{0, 0, 0},
	{0, 1, Default},
	{0, 2, 2 * Default},
	{0, 3, 4 * Default},
	{0, 50, Max},
	{time.Second, 4, Max},
	{time.Second, 5, Max},
	{time.Millisecond, 2, 2 * time.Millisecond},
	{-1, 5, 0},
}

func TestDelay(t *testing.T) {
	for _, tt := range delayTests {
		if got := Delay(tt.base, tt.failures); got != tt.want {
			t.Errorf("Delay(%v, %d) = %v, want %v", tt.base, tt.failures, got, tt.want)
		}
	}
	// Each further failure waits longer, until the cap.
	for n := 1; Delay(0, n) < Max; n++ {
		if Delay(0, n+1) <= Delay(0, n) {
			t.Errorf("Delay(0, %d) = %v is not above Delay(0, %d) = %v", n+1, Delay(0, n+1), n, Delay(0, n))
		}
	}
	if Delay(0, 6) != Max {
		t.Errorf("Delay(0, 6) = %v, want the cap %v", Delay(0, 6), Max)
	}
}

func tcp(s string) net.Addr { a, _ := net.ResolveTCPAddr("tcp", s); return a }

// observed returns a guard with no wait that records each failure's count and wait.
func observed() (*Guard, *[]int, *[]time.Duration) {
	var counts []int
	var waits []time.Duration
	g := &Guard{Base: -1}
	g.Observe(func(n int, d time.Duration) { counts, waits = append(counts, n), append(waits, d) })
	return g, &counts, &waits
}

func TestGuardCounts(t *testing.T) {
	g, counts, _ := observed()
	alice, again, bob := tcp("127.0.0.1:40000"), tcp("127.0.0.1:40001"), tcp("[::1]:40000")
	g.Fail(nil, alice)
	g.Fail(nil, again) // the same address on another connection
	g.Fail(nil, bob)
	g.Fail(nil, tcp("[::ffff:127.0.0.1]:40002")) // IPv4 in IPv6
	g.Succeed(alice)
	g.Fail(nil, again)
	g.Fail(nil, bob)
	g.Fail(nil, nil)
	if want := []int{1, 2, 1, 3, 1, 2, 1}; !slices.Equal(*counts, want) {
		t.Errorf("failures counted = %v, want %v", *counts, want)
	}
}

func TestGuardWaits(t *testing.T) {
	g := &Guard{Base: time.Millisecond}
	var waits []time.Duration
	g.Observe(func(_ int, d time.Duration) { waits = append(waits, d) })
	addr := tcp("127.0.0.1:1")
	for range 3 {
		if !g.Fail(nil, addr) {
			t.Fatal("Fail returned false with done open")
		}
	}
	if want := []time.Duration{time.Millisecond, 2 * time.Millisecond, 4 * time.Millisecond}; !slices.Equal(waits, want) {
		t.Errorf("waits = %v, want %v", waits, want)
	}
}

func TestGuardForgets(t *testing.T) {
	g, counts, _ := observed()
	now := time.Unix(1_000_000, 0)
	g.now = func() time.Time { return now }
	addr := tcp("10.0.0.1:2121")
	g.Fail(nil, addr)
	g.Fail(nil, addr)
	now = now.Add(Forget + time.Second)
	g.Fail(nil, addr)
	if want := []int{1, 2, 1}; !slices.Equal(*counts, want) {
		t.Errorf("failures counted = %v, want %v (forgotten after %v)", *counts, want, Forget)
	}
	// Past maxKept addresses, the stale ones are dropped.
	for i := range maxKept + 1 {
		g.Fail(nil, &net.TCPAddr{IP: net.IPv4(10, 1, byte(i>>8), byte(i)), Port: 1})
	}
	now = now.Add(Forget + time.Second)
	g.Fail(nil, addr)
	if n := len(g.fails); n != 1 {
		t.Errorf("%d addresses kept after all went stale, want 1", n)
	}
}

// TestGuardDone: a closing server cuts the wait short, and one session's wait
// holds up no other.
func TestGuardDone(t *testing.T) {
	g := &Guard{Base: Max}
	waiting := make(chan struct{})
	g.Observe(func(int, time.Duration) { close(waiting) })
	done := make(chan struct{})
	result := make(chan bool)
	go func() { result <- g.Fail(done, tcp("127.0.0.1:1")) }()
	<-waiting
	g.Observe(nil)
	g.Succeed(tcp("127.0.0.2:1")) // not held up by the wait under way
	other := &Guard{Base: -1}
	if !other.Fail(done, tcp("127.0.0.3:1")) {
		t.Error("Fail without a wait returned false")
	}
	close(done)
	if <-result {
		t.Error("Fail returned true after done was closed, want false")
	}
}
