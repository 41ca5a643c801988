package dns

import (
	"fmt"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/protocollab/protolab/lab"
)

// BenchmarkFeed measures the analyzer alone on a resolver's exchanges: a
// query for an A record and its answer, one datagram each, as a stub resolver
// and the lab's server send them, each exchange with an ID of its own. In
// "same-question" every exchange asks for the same name (a flood of one
// lookup: its summaries are remembered); in "new-questions" each of 4,096
// names in turn (more than are remembered: each is unpacked). An op is the
// pair framed.
//
//	go test -run '^$' -bench Feed -benchmem ./protocols/dns/
func BenchmarkFeed(b *testing.B) {
	for _, names := range []int{1, 4096} {
		name := "same-question"
		if names > 1 {
			name = "new-questions"
		}
		b.Run(name, func(b *testing.B) {
			var queries, replies [][]byte
			for i := range names {
				q, r := exchange(b, fmt.Sprintf("www%d.lab.test.", i))
				queries, replies = append(queries, q), append(replies, r)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(queries[0]) + len(replies[0])))
			i := 0
			for b.Loop() {
				query, reply := queries[i%names], replies[i%names]
				query[0], query[1] = byte(i>>8), byte(i)
				reply[0], reply[1] = query[0], query[1]
				i++
				// A new analyzer each time: each query comes from a socket of its own.
				a := NewAnalyzer()
				if len(a.Feed(lab.ClientToServer, query, time.Time{})) != 1 || len(a.Feed(lab.ServerToClient, reply, time.Time{})) != 1 {
					b.Fatal("want one message a datagram")
				}
			}
		})
	}
}

// exchange is an A query for name and the lab's answer to it, packed.
func exchange(b *testing.B, name string) (q, r []byte) {
	m := query(name, mdns.TypeA)
	return pack(b, m), pack(b, answer(m, mdns.RcodeSuccess, name+" 300 IN A 127.0.0.1"))
}
