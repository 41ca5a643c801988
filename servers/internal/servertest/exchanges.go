package servertest

import (
	"sync"
	"testing"

	"github.com/protocollab/protolab/lab"
)

// Exchanges is a benchmark's timed part: b.N exchanges (a request and its
// answer) spread over conns connections at once, each connection's one after
// another (exchange(i) on the i-th). It reports them per second ("msgs/s") and
// the CPU each took ("cpu-µs/msg": this process's, its clients' included), and
// fails the benchmark at an exchange's error. With full, a hub, the same
// exchanges first fill it to its bound (FillHub), untimed.
func Exchanges(b *testing.B, conns int, full *lab.Hub, exchange func(conn int) error) {
	b.Helper()
	FillHub(b, full, func(n int) error { return Spread(n, conns, exchange) })
	per := (b.N + conns - 1) / conns
	b.ResetTimer()
	cpu := CPUTime(b, 0)
	err := Spread(per*conns, conns, exchange)
	cpu = CPUTime(b, 0) - cpu
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(per*conns)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(per*conns), "cpu-µs/msg")
}

// Spread runs n exchanges over conns connections at once, n/conns on each
// (the first n%conns one more), and returns the first error.
func Spread(n, conns int, exchange func(conn int) error) error {
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for i := range conns {
		per := n / conns
		if i < n%conns {
			per++
		}
		wg.Go(func() {
			for range per {
				if err := exchange(i); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}
