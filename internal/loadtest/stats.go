package loadtest

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"
)

// Result is one scenario's outcome.
type Result struct {
	Name      string
	Clients   int
	AtOnce    int // clients in flight at most
	Ops       int
	Failures  int
	Elapsed   time.Duration
	P50, P99  time.Duration
	RSSBefore int64 // KiB
	RSSAfter  int64
	Errors    []string // the first few distinct failures
	Note      string
}

// OK reports whether nothing failed.
func (r Result) OK() bool { return r.Failures == 0 && r.Ops > 0 }

// Recorder collects the latencies and failures of concurrent operations.
type Recorder struct {
	mu    sync.Mutex
	lat   []time.Duration
	fails int
	errs  []string
	tries int
}

// Retry counts an operation the server asked to try again later.
func (r *Recorder) Retry() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tries++
}

// Op times f as one operation and records its outcome.
func (r *Recorder) Op(f func() error) error {
	start := time.Now()
	err := f()
	d := time.Since(start)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.fail(err)
		return err
	}
	r.lat = append(r.lat, d)
	return nil
}

// Fail records a failure outside any timed operation.
func (r *Recorder) Fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail(err)
}

// FailN records n failures for one reason.
func (r *Recorder) FailN(n int, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail(err)
	r.fails += n - 1
	if msg := err.Error(); !slices.Contains(r.errs, msg) { // a reason for many, always shown
		r.errs = append(r.errs, msg)
	}
}

func (r *Recorder) fail(err error) {
	r.fails++
	msg := err.Error()
	if len(r.errs) < 5 && !slices.Contains(r.errs, msg) {
		r.errs = append(r.errs, msg)
	}
}

// Fill sets res's counts and latency percentiles from what r recorded.
func (r *Recorder) Fill(res *Result) {
	r.mu.Lock()
	defer r.mu.Unlock()
	res.Ops = len(r.lat) + r.fails
	res.Failures = r.fails
	res.Errors = append([]string(nil), r.errs...)
	if r.tries > 0 {
		res.Note += fmt.Sprintf(" (%d tries again when told so)", r.tries)
	}
	if len(r.lat) == 0 {
		return
	}
	s := slices.Clone(r.lat)
	slices.Sort(s)
	res.P50 = s[len(s)*50/100]
	res.P99 = s[min(len(s)-1, len(s)*99/100)]
}

// RunClients runs client(ctx, i, rec) for i in [0, n), at most atOnce at a
// time, all bounded by timeout, and returns the filled result.
func RunClients(name string, n, atOnce int, timeout time.Duration, client func(ctx context.Context, i int, rec *Recorder)) Result {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	rec := &Recorder{}
	sem := make(chan struct{}, atOnce)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			client(ctx, i, rec)
		}()
	}
	wg.Wait()
	res := Result{Name: name, Clients: n, AtOnce: atOnce, Elapsed: time.Since(start)}
	rec.Fill(&res)
	return res
}

// PrintTable writes the results as a table, then each failing scenario's errors.
func PrintTable(w io.Writer, results []Result) {
	fmt.Fprintf(w, "%-10s %8s %7s %9s %8s %10s %9s %9s %10s %10s  %s\n",
		"scenario", "clients", "at once", "ops", "failures", "ops/s", "p50", "p99", "RSS before", "RSS after", "result")
	for _, r := range results {
		verdict := "pass"
		if !r.OK() {
			verdict = "FAIL"
		}
		rate := 0.0
		if r.Elapsed > 0 {
			rate = float64(r.Ops) / r.Elapsed.Seconds()
		}
		fmt.Fprintf(w, "%-10s %8d %7d %9d %8d %10.0f %9s %9s %7d MiB %7d MiB  %s %s\n",
			r.Name, r.Clients, r.AtOnce, r.Ops, r.Failures, rate, round(r.P50), round(r.P99),
			r.RSSBefore/1024, r.RSSAfter/1024, verdict, r.Note)
	}
	for _, r := range results {
		for _, e := range r.Errors {
			fmt.Fprintf(w, "  %s: %s\n", r.Name, e)
		}
	}
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
