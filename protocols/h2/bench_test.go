package h2

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"
)

// BenchmarkFeed measures the analyzer on a realistic mix: 200 requests on one
// connection, answered with small pages, medium assets and large downloads in
// 16 KiB DATA frames, fed in 4 KiB reads as a TCP tap delivers them.
func BenchmarkFeed(b *testing.B) {
	w := newWire().start()
	sizes := []int{120, 4 << 10, 700, 64 << 10, 2 << 10, 256 << 10}
	for i := range uint32(200) {
		id := 2*i + 1
		w.get(id, "/asset/"+strings.Repeat("p", int(i%20)))
		size := sizes[int(i)%len(sizes)]
		blk := w.block(s2c, ":status", "200", "content-type", "text/css", "content-length", "1", "cache-control", "max-age=3600")
		w.send(s2c, func(fr *http2.Framer) {
			fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: blk, EndHeaders: true})
			body := make([]byte, size)
			for len(body) > 0 {
				n := min(len(body), 16<<10)
				fr.WriteData(id, n == len(body), body[:n])
				body = body[n:]
			}
		})
	}
	benchFeed(b, w, 4<<10)
}

// benchFeed feeds w's steps to a new analyzer each round, in reads of at
// most piece bytes.
func benchFeed(b *testing.B, w *wire, piece int) {
	var total int64
	for _, s := range w.steps {
		total += int64(len(s.data))
	}
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		a := NewAnalyzer()
		for _, s := range w.steps {
			for d := s.data; len(d) > 0; {
				n := min(len(d), piece)
				a.Feed(s.dir, d[:n], time.Time{})
				d = d[n:]
			}
		}
	}
}

// BenchmarkExchange measures the analyzer on what a busy API server sees: small
// requests, each answered with a short body, one header block and one DATA
// frame each way, every frame group fed as one read.
func BenchmarkExchange(b *testing.B) {
	w := newWire().start()
	for i := range uint32(200) {
		id := 2*i + 1
		w.get(id, "/status/200")
		w.respond(id, "200", "ok")
	}
	benchFeed(b, w, 64<<10) // every step is one read
}
