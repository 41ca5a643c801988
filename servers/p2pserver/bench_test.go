package p2pserver

import (
	"bytes"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// BenchmarkDataChannel sends 8 MiB files from one lab peer to another over
// a reliable, ordered data channel, with the lab's capture on (both peers'
// socket tapped, the flow analysed down to SCTP with the logged keys) and
// off, and reports the CPU the process spent per MiB beside the rate.
// "capture=full" begins with the hub at its bound, as the capture runs once
// the lab has captured its first MaxBytes; "capture=true" begins with an
// empty hub, so a short run measures mostly the hub filling.
//
//	go test -run '^$' -bench DataChannel -benchtime 20x ./servers/p2pserver
func BenchmarkDataChannel(b *testing.B) {
	for _, capture := range []string{"false", "true", "full"} {
		b.Run("capture="+capture, func(b *testing.B) {
			r := newRig(b, capture != "false")
			a := r.peer(b, lab.SideClient, p2pclient.Options{})
			_, ca, cb := r.pair(b, a, p2pclient.Options{}, "lab", p2pclient.ChannelOptions{})
			files := make(chan p2pclient.File, 1)
			cb.OnFile(func(f p2pclient.File) { files <- f })
			data := randomBytes(8 << 20)
			ctx := timeout(b, 10*time.Minute)
			send := func(n int) error {
				for range n {
					if err := ca.SendFile(ctx, "bench.bin", bytes.NewReader(data), int64(len(data))); err != nil {
						return err
					}
					if f := <-files; f.Err != nil {
						return f.Err
					}
				}
				return nil
			}
			if capture == "full" {
				servertest.FillHubBy(b, r.hub, 1, send)
			}
			b.SetBytes(int64(len(data)))
			b.ResetTimer()
			cpu := servertest.CPUTime(b, 0)
			if err := send(b.N); err != nil {
				b.Fatal(err)
			}
			if r.hub != nil {
				r.hub.Settle() // the analysis the transfer caused is part of its cost
			}
			b.ReportMetric(float64((servertest.CPUTime(b, 0)-cpu).Microseconds())/float64(b.N*len(data)>>20), "cpu-µs/MiB")
		})
	}
}
