package lab

import (
	"fmt"
	"io"
	"net"
	"testing"
)

// benchTapped runs a tapped server on 127.0.0.1:0 and an outside client that
// client runs, then benchmarks server on the accepted connection, for chunks of
// each size. Both ends are closed at the end.
func benchTapped(b *testing.B, client, server func(b *testing.B, c net.Conn, size int)) {
	for _, size := range []int{512, 32 << 10} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			l, tap := listenRaw(b)
			done := make(chan struct{})
			go func() {
				defer close(done)
				c, err := net.Dial("tcp", l.Addr().String())
				if err != nil {
					return
				}
				defer c.Close()
				client(b, c, size)
			}()
			s, err := tap.Listener(l).Accept()
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(size))
			b.ResetTimer()
			server(b, s, size)
			b.StopTimer()
			s.Close()
			<-done
		})
	}
}

// listenRaw listens on 127.0.0.1:0, closed when b ends, and returns a tap
// of a hub of its own for a protocol without an analyzer: what is measured
// is the capture alone.
func listenRaw(b *testing.B) (net.Listener, *Tap) {
	reg := &Registry{}
	p := &Protocol{Name: "raw", Transport: "raw"}
	reg.Register(p)
	h := NewHub(HubOptions{Registry: reg})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	return l, h.Tap(p)
}

// BenchmarkTapRead measures a tapped server's reads of what an outside client
// streams to it.
func BenchmarkTapRead(b *testing.B) {
	benchTapped(b, func(b *testing.B, c net.Conn, size int) {
		chunk := make([]byte, size)
		for range b.N {
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
	}, func(b *testing.B, s net.Conn, size int) {
		buf := make([]byte, size)
		for got := int64(0); got < int64(b.N)*int64(size); {
			n, err := s.Read(buf)
			got += int64(n)
			if err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				return
			}
		}
	})
}

// BenchmarkTapWrite measures a tapped server's writes to an outside client that
// reads them all.
func BenchmarkTapWrite(b *testing.B) {
	benchTapped(b, func(_ *testing.B, c net.Conn, _ int) { io.Copy(io.Discard, c) }, func(b *testing.B, s net.Conn, size int) {
		chunk := make([]byte, size)
		for range b.N {
			if _, err := s.Write(chunk); err != nil {
				b.Fatal(err)
			}
		}
	})
}
