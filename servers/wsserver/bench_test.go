package wsserver

import (
	"fmt"
	"strings"
	"testing"

	"github.com/protocollab/protolab/clients/wsclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// BenchmarkEcho measures 128-byte text messages echoed per second (each a round
// trip) over 1 and 50 WebSockets, with the server's tap off ("untapped") and on
// with the TCP and WebSocket analyzers running in the hub ("tapped").
// "tapped-full" begins with the hub at its bound, as the capture runs once the
// lab has captured its first MaxBytes; "tapped" begins with an empty hub, so a
// short run measures mostly the hub filling.
func BenchmarkEcho(b *testing.B) {
	msg := strings.Repeat("m", 128)
	for _, conns := range []int{1, 50} {
		for _, name := range []string{"untapped", "tapped", "tapped-full"} {
			b.Run(fmt.Sprintf("conns=%d/%s", conns, name), func(b *testing.B) {
				var opts Options
				var hub *lab.Hub
				if name != "untapped" {
					hub, opts.Tap = testHub()
				}
				_, base := testServer(b, opts)
				cs := make([]*wsclient.Conn, conns)
				for i := range cs {
					cs[i] = dial(b, base+"/ws/echo", wsclient.Options{})
				}
				defer func() {
					for _, c := range cs {
						c.Close(1000, "")
					}
				}()
				echo := func(i int) error {
					if err := cs[i].SendText(msg); err != nil {
						return err
					}
					if m, ok := <-cs[i].Receive(); !ok || len(m.Data) != len(msg) {
						return fmt.Errorf("echo: %v %d bytes", m.Kind, len(m.Data))
					}
					return nil
				}
				run := func(n int) error { return servertest.Spread(n, conns, echo) }
				if name == "tapped-full" {
					servertest.FillHub(b, hub, run)
				}
				per := (b.N + conns - 1) / conns
				b.SetBytes(int64(2 * len(msg)))
				b.ResetTimer()
				cpu := servertest.CPUTime(b, 0)
				err := run(per * conns)
				cpu = servertest.CPUTime(b, 0) - cpu
				b.StopTimer()
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(per*conns)/b.Elapsed().Seconds(), "msgs/s")
				// The CPU an echo takes, the client's (in this process) included.
				b.ReportMetric(float64(cpu.Microseconds())/float64(per*conns), "cpu-µs/msg")
			})
		}
	}
}
