package udpserver_test

import (
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/servertest"
	"github.com/protocollab/protolab/servers/udpserver"
)

// BenchmarkEcho measures echoed datagrams per second (64-byte datagrams, each
// client waiting for its echo before sending the next) with the tap off
// ("untapped"), on with the UDP analyzer ("tapped"), and on without an analyzer
// ("capture-only": what lab's capture alone costs).
func BenchmarkEcho(b *testing.B) {
	for _, clients := range []int{1, 8} {
		for _, variant := range []string{"untapped", "tapped", "capture-only"} {
			b.Run(fmt.Sprintf("clients=%d/%s", clients, variant), func(b *testing.B) {
				var opts udpserver.Options
				// Hubs of the default size, so old events are dropped as in the app.
				switch variant {
				case "tapped":
					opts.Tap = lab.NewHub(lab.HubOptions{}).Tap(udpProtocol())
				case "capture-only":
					p := udpProtocol()
					p.NewAnalyzer = nil
					opts.Tap = lab.NewHub(lab.HubOptions{}).Tap(p)
				}
				_, addr := startServer(b, opts)
				benchEcho(b, addr, clients)
			})
		}
	}
}

func benchEcho(b *testing.B, addr string, clients int) {
	cs := make([]net.Conn, clients)
	for i := range cs {
		c, err := net.Dial("udp", addr)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		cs[i] = c
	}
	b.ResetTimer()
	start := time.Now()
	cpu := servertest.CPUTime(b, 0)
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i, c := range cs {
		n := b.N / clients
		if i < b.N%clients {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, in := make([]byte, 64), make([]byte, 2048)
			for range n {
				if _, err := c.Write(out); err != nil {
					errs <- err
					return
				}
				// Loopback does not lose datagrams at this rate; a lost one fails the run.
				c.SetReadDeadline(time.Now().Add(5 * time.Second))
				if _, err := c.Read(in); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	cpu = servertest.CPUTime(b, 0) - cpu
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "datagrams/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/datagram")
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}
