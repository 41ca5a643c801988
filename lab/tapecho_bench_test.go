package lab

import (
	"fmt"
	"io"
	"net"
	"testing"
)

// BenchmarkTapEcho measures one request and its answer (512 bytes each way)
// over one connection, as HTTP with one connection exchanges them: the
// server's reads and writes plain, and tapped with every byte kept and no
// analyzer (what the tap alone adds to each exchange's latency).
func BenchmarkTapEcho(b *testing.B) {
	for _, tapped := range []bool{false, true} {
		b.Run(fmt.Sprintf("tapped=%v", tapped), func(b *testing.B) {
			l, tap := listenRaw(b)
			ln := l
			if tapped {
				ln = tap.Listener(l)
			}
			go func() {
				s, err := ln.Accept()
				if err != nil {
					return
				}
				defer s.Close()
				buf := make([]byte, 512)
				for {
					if _, err := io.ReadFull(s, buf); err != nil {
						return
					}
					if _, err := s.Write(buf); err != nil {
						return
					}
				}
			}()
			c, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			out, in := make([]byte, 512), make([]byte, 512)
			b.ResetTimer()
			for range b.N {
				if _, err := c.Write(out); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(c, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
