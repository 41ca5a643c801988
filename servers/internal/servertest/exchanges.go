package servertest

import (
	"sync"
	"testing"
)

// Exchanges is a benchmark's timed part: b.N exchanges (a request and its
// answer) spread over conns connections at once, each connection's one after
// another (exchange(i) on the i-th). It reports them per second ("msgs/s") and
// the CPU each took ("cpu-µs/msg": this process's, its clients' included), and
// fails the benchmark at an exchange's error.
func Exchanges(b *testing.B, conns int, exchange func(conn int) error) {
	b.Helper()
	per := (b.N + conns - 1) / conns
	b.ResetTimer()
	cpu := CPUTime(b, 0)
	var wg sync.WaitGroup
	for i := range conns {
		wg.Go(func() {
			for range per {
				if err := exchange(i); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	cpu = CPUTime(b, 0) - cpu
	b.StopTimer()
	b.ReportMetric(float64(per*conns)/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(per*conns), "cpu-µs/msg")
}
