package dnsserver_test

import (
	"fmt"
	"sync"
	"testing"

	mdns "github.com/miekg/dns"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// BenchmarkQueries measures A queries answered per second over UDP from 1
// and from 50 clients at once, each query from a socket of its own as a resolver sends
// it (a new source port each: a new flow for the lab), with the capture off
// ("uncaptured"), on with the UDP and DNS analyzers from an empty hub
// ("captured": its first tens of thousands of queries fill the hub's memory
// for the first time), and on with the hub at its bound from the start and
// the app's memory limit ("captured-full": as a lab that has run a while,
// whose every new query pushes the oldest out). An op is one query answered.
//
//	go test -run '^$' -bench Queries -benchtime 20000x ./servers/dnsserver/
func BenchmarkQueries(b *testing.B) {
	for _, clients := range []int{1, 50} {
		for _, name := range []string{"uncaptured", "captured", "captured-full"} {
			b.Run(fmt.Sprintf("clients=%d/%s", clients, name), func(b *testing.B) {
				var hub *lab.Hub
				var tap *lab.Tap
				if name != "uncaptured" {
					hub, tap = testHub()
				}
				_, addr := testServer(b, tap)
				if name == "captured-full" {
					servertest.FillHub(b, hub, func(n int) error { return queries(addr, clients, n) })
				}
				cpu0 := servertest.CPUTime(b, 0)
				b.ResetTimer()
				err := queries(addr, clients, b.N)
				b.StopTimer()
				cpu := servertest.CPUTime(b, 0) - cpu0
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "queries/s")
				b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/query")
			})
		}
	}
}

// queries has clients resolvers ask addr n A queries in all, each from a
// socket of its own, and returns the first failure (a wrong answer
// included).
func queries(addr string, clients, n int) error {
	var wg sync.WaitGroup
	jobs := make(chan int, clients)
	errs := make(chan error, clients)
	for range clients {
		wg.Go(func() {
			cl := &mdns.Client{Net: "udp"}
			for range jobs {
				m := new(mdns.Msg)
				m.SetQuestion("www.lab.test.", mdns.TypeA)
				r, _, err := cl.Exchange(m, addr)
				if err == nil && (r.Rcode != mdns.RcodeSuccess || len(r.Answer) == 0) {
					err = fmt.Errorf("%s: %s, %d answers", m.Question[0].Name, mdns.RcodeToString[r.Rcode], len(r.Answer))
				}
				if err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		})
	}
	for i := range n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errs)
	return <-errs
}
