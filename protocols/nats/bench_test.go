package nats

import (
	"fmt"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// BenchmarkFeed measures the analyzer alone on a subscriber's deliveries:
// reads of 32 KiB or so, each holding hundreds of MSG lines with a short
// payload that changes, as nats-server writes them to a busy subscriber. In
// "burst" they are all of one subject, one burst a read; in "interleaved"
// two subjects take turns, so that each is a message of its own. An op is
// one delivery framed.
//
//	go test -run '^$' -bench Feed -benchmem ./protocols/nats/
func BenchmarkFeed(b *testing.B) {
	for _, subjects := range []int{1, 2} {
		name := "burst"
		if subjects > 1 {
			name = "interleaved"
		}
		b.Run(name, func(b *testing.B) {
			var read []byte
			perRead := 0
			for len(read) < 32<<10 {
				payload := fmt.Sprintf("%d.%d degrees, from the bench's sensor", 15+perRead%10, perRead%10)
				read = fmt.Appendf(read, "MSG lab.bench.t%d %d %d\r\n%s\r\n", 1+perRead%subjects, 1+perRead%subjects, len(payload), payload)
				perRead++
			}
			want := perRead
			if subjects == 1 {
				want = 1
			}
			a := NewAnalyzer()
			a.Feed(lab.ServerToClient, []byte("INFO {\"server_id\":\"x\",\"version\":\"2.15.3\"}\r\n"), time.Time{})
			a.Feed(lab.ClientToServer, []byte("CONNECT {}\r\nSUB lab.bench.t1 1\r\nSUB lab.bench.t2 2\r\n"), time.Time{})
			b.ReportAllocs()
			b.SetBytes(int64(len(read) / perRead))
			n := 0
			for b.Loop() {
				if n%perRead == 0 {
					if got := len(a.Feed(lab.ServerToClient, read, time.Time{})); got != want {
						b.Fatalf("%d messages, want %d", got, want)
					}
				}
				n++
			}
		})
	}
}
