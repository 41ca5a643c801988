package dns

import (
	"net"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/protocollab/protolab/lab"
)

// BenchmarkFeed measures the analyzer alone on a resolver's exchange: a query
// for an A record and its answer, one datagram each, as a stub resolver and
// the lab's server send them. An op is the pair framed.
//
//	go test -run '^$' -bench Feed -benchmem ./protocols/dns/
func BenchmarkFeed(b *testing.B) {
	q := new(mdns.Msg)
	q.SetQuestion("www.lab.test.", mdns.TypeA)
	r := new(mdns.Msg)
	r.SetReply(q)
	r.Authoritative = true
	r.Answer = append(r.Answer, &mdns.A{
		Hdr: mdns.RR_Header{Name: "www.lab.test.", Rrtype: mdns.TypeA, Class: mdns.ClassINET, Ttl: 300},
		A:   net.IPv4(127, 0, 0, 1),
	})
	query, err := q.Pack()
	if err != nil {
		b.Fatal(err)
	}
	reply, err := r.Pack()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(query) + len(reply)))
	for b.Loop() {
		// A new analyzer each time: each query comes from a socket of its own.
		a := NewAnalyzer()
		if len(a.Feed(lab.ClientToServer, query, time.Time{})) != 1 || len(a.Feed(lab.ServerToClient, reply, time.Time{})) != 1 {
			b.Fatal("want one message a datagram")
		}
	}
}
