package p2pserver

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// BenchmarkDataChannel sends 8 MiB files from one lab peer to another over
// a reliable, ordered data channel, with the lab's capture on (both peers'
// socket tapped, the flow analysed down to SCTP with the logged keys) and
// off, and reports the CPU the process spent per MiB beside the rate:
//
//	go test -run '^$' -bench DataChannel ./servers/p2pserver
func BenchmarkDataChannel(b *testing.B) {
	for _, capture := range []bool{false, true} {
		b.Run(fmt.Sprintf("capture=%v", capture), func(b *testing.B) {
			r := newRig(b, capture)
			a := r.peer(b, lab.SideClient, p2pclient.Options{})
			_, ca, cb := r.pair(b, a, p2pclient.Options{}, "lab", p2pclient.ChannelOptions{})
			files := make(chan p2pclient.File, 1)
			cb.OnFile(func(f p2pclient.File) { files <- f })
			data := randomBytes(8 << 20)
			ctx := timeout(b, 10*time.Minute)
			b.SetBytes(int64(len(data)))
			b.ResetTimer()
			cpu := servertest.CPUTime(b, 0)
			for range b.N {
				if err := ca.SendFile(ctx, "bench.bin", bytes.NewReader(data), int64(len(data))); err != nil {
					b.Fatal(err)
				}
				if f := <-files; f.Err != nil {
					b.Fatal(f.Err)
				}
			}
			if r.hub != nil {
				r.hub.Settle() // the analysis the transfer caused is part of its cost
			}
			b.ReportMetric(float64((servertest.CPUTime(b, 0)-cpu).Microseconds())/float64(b.N*len(data)>>20), "cpu-µs/MiB")
		})
	}
}
