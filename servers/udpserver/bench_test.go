package udpserver_test

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/servertest"
	"github.com/protocollab/protolab/servers/udpserver"
)

// BenchmarkEcho measures echoed datagrams per second (64-byte datagrams, each
// client waiting for its echo before sending the next) with the tap off
// ("untapped"), on with the UDP analyzer ("tapped"; "tapped-full" from the hub
// at its bound, as the capture runs once the lab has captured its first
// MaxBytes), and on without an analyzer ("capture-only": what lab's capture
// alone costs).
func BenchmarkEcho(b *testing.B) {
	for _, clients := range []int{1, 8} {
		for _, variant := range []string{"untapped", "tapped", "tapped-full", "capture-only"} {
			b.Run(fmt.Sprintf("clients=%d/%s", clients, variant), func(b *testing.B) {
				var opts udpserver.Options
				var full *lab.Hub
				// Hubs of the default size, so old events are dropped as in the app.
				switch variant {
				case "tapped", "tapped-full":
					hub := lab.NewHub(lab.HubOptions{})
					opts.Tap = hub.Tap(udpProtocol())
					if variant == "tapped-full" {
						full = hub
					}
				case "capture-only":
					p := udpProtocol()
					p.NewAnalyzer = nil
					opts.Tap = lab.NewHub(lab.HubOptions{}).Tap(p)
				}
				_, addr := startServer(b, opts)
				benchEcho(b, addr, clients, full)
			})
		}
	}
}

// benchEcho echoes b.N datagrams from clients sockets at once; with full, a
// hub filled to its bound first (servertest.FillHub).
func benchEcho(b *testing.B, addr string, clients int, full *lab.Hub) {
	cs := make([]net.Conn, clients)
	outs, ins := make([][]byte, clients), make([][]byte, clients)
	for i := range cs {
		c, err := net.Dial("udp", addr)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		cs[i], outs[i], ins[i] = c, make([]byte, 64), make([]byte, 2048)
	}
	echo := func(i int) error {
		if _, err := cs[i].Write(outs[i]); err != nil {
			return err
		}
		// Loopback does not lose datagrams at this rate; a lost one fails the run.
		cs[i].SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err := cs[i].Read(ins[i])
		return err
	}
	servertest.FillHub(b, full, func(n int) error { return servertest.Spread(n, clients, echo) })
	b.ResetTimer()
	start := time.Now()
	cpu := servertest.CPUTime(b, 0)
	err := servertest.Spread(b.N, clients, echo)
	cpu = servertest.CPUTime(b, 0) - cpu
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "datagrams/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/datagram")
}
