package analyzertest

import (
	"io"
	"net"
	"sync"
	"testing"

	"github.com/protocollab/protolab/lab"
)

// Proxy listens on 127.0.0.1, port 0, and relays each connection it accepts
// to upstream, recording what each end writes: a real client and a real
// server, whose bytes become an analyzer's steps. Conns returns the
// recordings of the connections, in the order accepted, once they all ended;
// the test's cleanup closes the listener.
type Proxy struct {
	Addr string

	t    testing.TB
	l    net.Listener
	wg   sync.WaitGroup
	mu   sync.Mutex
	recs []*Recorder
}

// NewProxy starts a Proxy to upstream.
func NewProxy(t testing.TB, upstream string) *Proxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{Addr: l.Addr().String(), t: t, l: l}
	t.Cleanup(func() { l.Close() })
	go p.accept(upstream)
	return p
}

func (p *Proxy) accept(upstream string) {
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		u, err := net.Dial("tcp", upstream)
		if err != nil {
			c.Close()
			continue
		}
		rec := &Recorder{}
		p.mu.Lock()
		p.recs = append(p.recs, rec)
		p.wg.Add(1)
		p.mu.Unlock()
		go func() {
			defer p.wg.Done()
			relay(rec.Conn(u, lab.ClientToServer), c, rec.Conn(c, lab.ServerToClient), u)
		}()
	}
}

// relay copies from's bytes to to and back, until either end closes; then it
// closes both.
func relay(toServer, client, toClient, server net.Conn) {
	done := make(chan struct{}, 2)
	go func() { io.Copy(toServer, client); done <- struct{}{} }()
	go func() { io.Copy(toClient, server); done <- struct{}{} }()
	<-done
	client.Close()
	server.Close()
	<-done
}

// Conns waits until every connection accepted so far has ended and returns
// their recordings, in the order accepted.
func (p *Proxy) Conns() [][]Step {
	p.mu.Lock()
	recs := append([]*Recorder(nil), p.recs...)
	p.mu.Unlock()
	p.wg.Wait()
	var out [][]Step
	for _, r := range recs {
		out = append(out, r.Steps())
	}
	return out
}
