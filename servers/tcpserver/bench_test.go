package tcpserver_test

import (
	"fmt"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/tcpserver"
)

// BenchmarkEcho measures echo throughput (bytes sent and received back per second)
// with the server's tap off and on, over 1 and over 50 connections.
func BenchmarkEcho(b *testing.B) {
	const chunk = 16 << 10
	for _, conns := range []int{1, 50} {
		for _, tapped := range []bool{false, true} {
			name := fmt.Sprintf("conns=%d/untapped", conns)
			if tapped {
				name = fmt.Sprintf("conns=%d/tapped", conns)
			}
			b.Run(name, func(b *testing.B) {
				var opts tcpserver.Options
				if tapped {
					// A hub of the default size, so old events are dropped as in the app.
					opts.Tap = lab.NewHub(lab.HubOptions{}).Tap(tcpProtocol())
				}
				_, addr := startServer(b, opts)
				benchEcho(b, addr, conns, chunk)
			})
		}
	}
}

func benchEcho(b *testing.B, addr string, conns, chunk int) {
	cs := make([]net.Conn, conns)
	for i := range cs {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		cs[i] = c
	}
	b.SetBytes(int64(chunk))
	b.ResetTimer()
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for i, c := range cs {
		n := b.N / conns
		if i < b.N%conns {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, in := make([]byte, chunk), make([]byte, chunk)
			for range n {
				if _, err := c.Write(out); err != nil {
					errs <- err
					return
				}
				if _, err := io.ReadFull(c, in); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}
