package nats

import (
	"fmt"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// BenchmarkFeed measures the analyzer alone on a subscriber's deliveries:
// reads of 32 KiB or so, each holding hundreds of MSG lines with a short
// payload, as nats-server writes them to a busy subscriber. An op is one
// message framed.
//
//	go test -run '^$' -bench Feed -benchmem ./protocols/nats/
func BenchmarkFeed(b *testing.B) {
	const payload = "21.5 degrees, from the bench's sensor"
	var read []byte
	perRead := 0
	for len(read) < 32<<10 {
		read = fmt.Appendf(read, "MSG lab.bench.t1 1 %d\r\n%s\r\n", len(payload), payload)
		perRead++
	}
	a := NewAnalyzer()
	a.Feed(lab.ServerToClient, []byte("INFO {\"server_id\":\"x\",\"version\":\"2.15.3\"}\r\n"), time.Time{})
	a.Feed(lab.ClientToServer, []byte("CONNECT {}\r\nSUB lab.bench.t1 1\r\n"), time.Time{})
	b.ReportAllocs()
	b.SetBytes(int64(len(read) / perRead))
	n := 0
	for b.Loop() {
		if n%perRead == 0 {
			if got := len(a.Feed(lab.ServerToClient, read, time.Time{})); got != perRead {
				b.Fatalf("%d messages, want %d", got, perRead)
			}
		}
		n++
	}
}
