package lab

import (
	"net"
	"syscall"
	"testing"
	"time"
)

// datagramMessage makes one message of every datagram, as DNS's analyzer
// does, with a summary it does not build.
type datagramMessage struct{}

func (datagramMessage) Feed(dir Dir, b []byte, _ time.Time) []Message {
	return []Message{{Dir: dir, Summary: "datagram", Raw: b, Observed: true}}
}

func (datagramMessage) State() string { return "" }

// BenchmarkShortFlows measures what the lab itself does for a conversation
// that carries one datagram each way, as a resolver's every query from a
// socket of its own makes one, off the sockets: the server tap's new
// conversation (under a transport layer, as a server's are), its two
// datagrams recorded, and the analysis of it all (one message a datagram
// from an analyzer that builds nothing) published in the hub. The hub's own
// analysis goroutine runs it; the run ends when it has. An op is one
// conversation; "cpu-ns/op" is the process's CPU time an op, the analysis
// goroutine's on the other core included. In "ended" each flow ends at once (its idle end); in
// "live-past-bound" none ends, and a hub that remembers at most 1,000 has
// every new one come past its bound, as a flood of queries within a flow's
// idle time (30 s) does.
//
//	go test -run '^$' -bench ShortFlows -benchmem ./lab/
func BenchmarkShortFlows(b *testing.B) {
	for _, end := range []bool{true, false} {
		name, most := "ended", 0
		if !end {
			name, most = "live-past-bound", 1000
		}
		b.Run(name, func(b *testing.B) {
			reg := &Registry{}
			reg.Register(&Protocol{Name: "udp", Transport: "udp", NewAnalyzer: func() Analyzer { return datagramMessage{} }})
			p := &Protocol{Name: "dns", Transport: "udp", NewAnalyzer: func() Analyzer { return datagramMessage{} }}
			reg.Register(p)
			h := NewHub(HubOptions{Registry: reg, MaxConversations: most})
			server := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 53}
			query, answer := make([]byte, 30), make([]byte, 46)
			b.ReportAllocs()
			cpu0 := processCPU(b)
			i := 0
			for b.Loop() {
				client := &net.UDPAddr{IP: net.IPv4(127, byte(i>>16), byte(i>>8), byte(i)), Port: 1024 + i%60000}
				i++
				now := time.Now()
				c := h.attach(p, client, server, SideServer, true, OpenInfo{At: now})
				c.data(SideServer, ClientToServer, query, now)
				c.data(SideServer, ServerToClient, answer, now)
				if end {
					c.closeStep(SideServer, SideNone, HowIdle, "")
					c.localClosed(SideServer)
				}
			}
			h.Settle()
			b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
			if st := h.Stats(); end && st.LiveConvs != 0 {
				b.Fatalf("%d conversations still live", st.LiveConvs)
			}
		})
	}
}

// processCPU is the CPU time, user and system, the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
