package lab

import (
	"fmt"
	"io"
	"net"
	"testing"
)

// BenchmarkTapRead measures a tapped server's reads of what an outside client
// streams to it, in chunks of each size.
func BenchmarkTapRead(b *testing.B) {
	for _, size := range []int{512, 32 << 10} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			reg := &Registry{}
			p := &Protocol{Name: "raw", Transport: "raw"}
			reg.Register(p)
			h := NewHub(HubOptions{Registry: reg})
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			tl := h.Tap(p).Listener(l)
			total := int64(b.N) * int64(size)
			go func() {
				c, err := net.Dial("tcp", l.Addr().String())
				if err != nil {
					return
				}
				defer c.Close()
				chunk := make([]byte, size)
				for left := total; left > 0; left -= int64(size) {
					if _, err := c.Write(chunk[:min(int64(size), left)]); err != nil {
						return
					}
				}
			}()
			s, err := tl.Accept()
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			buf := make([]byte, size)
			b.SetBytes(int64(size))
			b.ResetTimer()
			var got int64
			for got < total {
				n, err := s.Read(buf)
				got += int64(n)
				if err != nil {
					if err == io.EOF {
						break
					}
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTapWrite measures a tapped server's writes of chunks of each size to
// an outside client that reads them all.
func BenchmarkTapWrite(b *testing.B) {
	for _, size := range []int{512, 32 << 10} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			reg := &Registry{}
			p := &Protocol{Name: "raw", Transport: "raw"}
			reg.Register(p)
			h := NewHub(HubOptions{Registry: reg})
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			tl := h.Tap(p).Listener(l)
			done := make(chan struct{})
			go func() {
				defer close(done)
				c, err := net.Dial("tcp", l.Addr().String())
				if err != nil {
					return
				}
				defer c.Close()
				io.Copy(io.Discard, c)
			}()
			s, err := tl.Accept()
			if err != nil {
				b.Fatal(err)
			}
			chunk := make([]byte, size)
			b.SetBytes(int64(size))
			b.ResetTimer()
			for range b.N {
				if _, err := s.Write(chunk); err != nil {
					b.Fatal(err)
				}
			}
			s.Close()
			<-done
		})
	}
}
