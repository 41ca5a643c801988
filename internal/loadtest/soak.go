package loadtest

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Sample is serve's footprint at one moment of a soak.
type Sample struct {
	At      time.Duration
	RSSKiB  int64
	FDs     int
	Events  uint64
	Dropped uint64
}

// Soak runs mixed traffic at a steady rate (TCP, HTTP and WebSocket round trips
// and DNS queries ten times a second each, a mail a second) for d, samples serve
// every interval, and judges it flat: the last sample's RSS within +20 % of the
// second's, open files not above the second's plus 10.
func Soak(w io.Writer, s *Serve, t Target, d, interval time.Duration) (Result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	rec := &Recorder{}
	var wg sync.WaitGroup
	every := func(period time.Duration, f func(ctx context.Context, i int)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tk := time.NewTicker(period)
			defer tk.Stop()
			for i := 0; ; i++ {
				select {
				case <-ctx.Done():
					return
				case <-tk.C:
				}
				opCtx, opCancel := context.WithTimeout(context.Background(), 30*time.Second)
				f(opCtx, i)
				opCancel()
			}
		}()
	}
	every(100*time.Millisecond, func(ctx context.Context, i int) { tcpEcho(ctx, t, i, rec) })
	every(100*time.Millisecond, func(ctx context.Context, i int) { httpEcho(false)(ctx, t, i, rec) })
	every(100*time.Millisecond, func(ctx context.Context, i int) { wsEcho(ctx, t, i, rec) })
	cl := &dns.Client{Net: "udp", Timeout: 5 * time.Second}
	every(100*time.Millisecond, func(_ context.Context, i int) {
		_ = rec.Op(func() error { return dnsQuery(cl, t.Addrs["dns"], i) })
	})
	every(time.Second, func(ctx context.Context, i int) { smtpSend(ctx, t, i, rec) })

	var samples []Sample
	take := func(at time.Duration) {
		sm := Sample{At: at, RSSKiB: RSS(s.PID()), FDs: FDs(s.PID()), Events: s.Events(), Dropped: s.Dropped()}
		samples = append(samples, sm)
		fmt.Fprintf(w, "soak %8s  RSS %4d MiB  open files %4d  events %9d  dropped %d\n",
			at.Round(time.Second), sm.RSSKiB/1024, sm.FDs, sm.Events, sm.Dropped)
	}
	start := time.Now()
	take(0)
	tk := time.NewTicker(interval)
	for running := true; running; {
		select {
		case <-ctx.Done():
			running = false
		case <-tk.C:
			take(time.Since(start))
		}
	}
	tk.Stop()
	wg.Wait()
	res := Result{Name: "soak", Clients: 5, AtOnce: 5, Elapsed: time.Since(start),
		RSSBefore: samples[0].RSSKiB, RSSAfter: RSS(s.PID())}
	rec.Fill(&res)
	if len(samples) < 3 {
		return res, fmt.Errorf("soak: too short to judge (%d samples)", len(samples))
	}
	second, last := samples[2], samples[len(samples)-1] // samples[2] ends the second interval
	if last.RSSKiB > second.RSSKiB+second.RSSKiB/5 {
		return res, fmt.Errorf("soak: RSS grew from %d MiB to %d MiB", second.RSSKiB/1024, last.RSSKiB/1024)
	}
	if last.FDs > second.FDs+10 {
		return res, fmt.Errorf("soak: open files grew from %d to %d", second.FDs, last.FDs)
	}
	return res, nil
}
