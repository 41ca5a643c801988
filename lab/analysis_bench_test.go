package lab

import (
	"fmt"
	"net"
	"testing"
	"time"
)

// oneMessage is an analyzer that makes one message of every Feed, with a
// summary it does not build: what is left to measure is the lab's own work.
type oneMessage struct{ block []Message }

func (a *oneMessage) Feed(dir Dir, b []byte, _ time.Time) []Message {
	if len(a.block) == cap(a.block) {
		a.block = make([]Message, 0, 128)
	}
	a.block = append(a.block, Message{Dir: dir, Summary: "message", Raw: b, Observed: true})
	return a.block[len(a.block)-1:]
}

func (*oneMessage) State() string { return "open" }

// BenchmarkAnalysis measures what the lab itself does for a tapped
// connection's bytes, off the sockets: a tap's record of a small read or
// write (a copy and a queue entry), and the analysis's run of it (its data
// event, one message from an analyzer that builds nothing, and their
// publication in the hub), under a transport layer as a server's
// conversations have, over 1 and 50 conversations taking turns. The taps
// record 8 chunks per conversation, as a busy server's connections give the
// analysis a few each per batch, and the benchmark runs the analysis's
// rounds itself, on the same goroutine, so only the work is measured, not
// the hand-over between cores. An op is one chunk recorded and analyzed.
//
//	go test -run '^$' -bench Analysis -benchmem ./lab/
func BenchmarkAnalysis(b *testing.B) {
	const perBatch = 8
	for _, conns := range []int{1, 50} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) {
			reg := &Registry{}
			reg.Register(&Protocol{Name: "tcp", Transport: "tcp", NewAnalyzer: func() Analyzer { return &oneMessage{} }})
			p := &Protocol{Name: "chat", Transport: "tcp", NewAnalyzer: func() Analyzer { return &oneMessage{} }}
			reg.Register(p)
			h := NewHub(HubOptions{Registry: reg})
			server := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 7}
			cs := make([]*Conversation, conns)
			for i := range cs {
				client := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000 + i}
				cs[i] = h.attach(p, client, server, SideServer, false, OpenInfo{})
			}
			h.Settle()
			// Marked as worked on, the conversations never start the hub's
			// analysis goroutine: the rounds below are the only analysis.
			working := func() {
				for _, c := range cs {
					c.mu.Lock()
					c.working = true
					c.mu.Unlock()
				}
			}
			working()
			chunk := []byte("PRIVMSG #lab :hello, everyone\r\n")
			round := make([]*Conversation, 0, conns)
			b.SetBytes(int64(len(chunk)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; {
				for k := 0; k < perBatch*conns && i < b.N; k, i = k+1, i+1 {
					dir := ClientToServer
					if k/conns%2 == 1 {
						dir = ServerToClient
					}
					cs[k%conns].data(SideServer, dir, chunk, time.Now())
				}
				round = append(round[:0], cs...)
				for len(round) > 0 {
					round = h.analyzeRound(round)
				}
				working()
			}
		})
	}
}
