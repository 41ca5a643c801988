package tcpserver_test

import (
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/servertest"
	"github.com/protocollab/protolab/servers/tcpserver"
)

// BenchmarkEcho measures echo throughput (bytes sent and received back per second)
// over 1 and over 50 connections, with the server's tap off ("untapped"), on with
// the TCP analyzer as the app runs it ("tapped": each connection's first MiB kept
// each way, the rest counted), on keeping every byte ("tapped-all": the server
// pane's "Data kept: all") and on without an analyzer ("capture-only": what the
// lab's capture alone costs, keeping every byte).
func BenchmarkEcho(b *testing.B) {
	const chunk = 16 << 10
	for _, conns := range []int{1, 50} {
		for _, variant := range []string{"untapped", "tapped", "tapped-all", "capture-only"} {
			b.Run(fmt.Sprintf("conns=%d/%s", conns, variant), func(b *testing.B) {
				var opts tcpserver.Options
				// Hubs of the default size, so old events are dropped as in the app.
				switch variant {
				case "tapped":
					opts.Tap = lab.NewHub(lab.HubOptions{}).Tap(tcpProtocol())
				case "tapped-all":
					p := tcpProtocol()
					p.CaptureLimit = 0
					opts.Tap = lab.NewHub(lab.HubOptions{}).Tap(p)
				case "capture-only":
					p := tcpProtocol()
					p.NewAnalyzer, p.CaptureLimit = nil, 0
					opts.Tap = lab.NewHub(lab.HubOptions{}).Tap(p)
				}
				_, addr := startServer(b, opts)
				benchEcho(b, addr, conns, chunk)
			})
		}
	}
}

func benchEcho(b *testing.B, addr string, conns, chunk int) {
	cs := make([]net.Conn, conns)
	outs, ins := make([][]byte, conns), make([][]byte, conns)
	for i := range cs {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		cs[i], outs[i], ins[i] = c, make([]byte, chunk), make([]byte, chunk)
	}
	echo := func(i int) error {
		if _, err := cs[i].Write(outs[i]); err != nil {
			return err
		}
		_, err := io.ReadFull(cs[i], ins[i])
		return err
	}
	b.SetBytes(int64(chunk))
	b.ResetTimer()
	cpu := servertest.CPUTime(b, 0)
	err := servertest.Spread(b.N, conns, echo)
	cpu = servertest.CPUTime(b, 0) - cpu
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(cpu.Microseconds())/(float64(b.N)*float64(chunk)/(1<<20)), "cpu-µs/MiB")
}
