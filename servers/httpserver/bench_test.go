package httpserver_test

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/protocollab/protolab/servers/httpserver"
)

// BenchmarkRequests measures small GET requests per second over 1 and 50 kept-alive
// connections, with the server's tap off ("untapped") and on with the TCP and HTTP
// analyzers as the app runs them ("tapped").
func BenchmarkRequests(b *testing.B) {
	for _, conns := range []int{1, 50} {
		for _, tapped := range []bool{false, true} {
			name := "untapped"
			if tapped {
				name = "tapped"
			}
			b.Run(fmt.Sprintf("conns=%d/%s", conns, name), func(b *testing.B) {
				var opts httpserver.Options
				if tapped {
					hub, p := newHub()
					opts.Tap = hub.Tap(p)
				}
				_, addr := startServer(b, opts)
				benchRequests(b, "http://"+addr+"/status/200", conns)
			})
		}
	}
}

func benchRequests(b *testing.B, url string, conns int) {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for i := range conns {
		n := b.N / conns
		if i < b.N%conns {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range n {
				resp, err := c.Get(url)
				if err != nil {
					errs <- err
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}
