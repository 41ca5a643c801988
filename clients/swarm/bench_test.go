package swarm

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/webrtc"
	"github.com/protocollab/protolab/servers/httpserver"
)

// benchSize is the file the benchmarks share among 4 peers: one has it, 3
// get it.
const benchSize = 64 << 20

// BenchmarkSwarm compares the time for 3 peers to get a 64 MiB file from a
// swarm of 4 (one seed) with the time for 3 clients to get it at once from
// the lab's HTTP server: in the swarm every peer uploads, through the HTTP
// server every byte crosses the one server. Run it with
// go test -run '^$' -bench Swarm -benchtime 1x ./clients/swarm.
func BenchmarkSwarm(b *testing.B) {
	data := random(b, benchSize)
	meta := NewMeta("big.bin", data, DefaultPieceSize)
	for _, capture := range []bool{false, true} {
		name := "swarm/capture=off"
		if capture {
			name = "swarm/capture=on"
		}
		b.Run(name, func(b *testing.B) {
			url := signal(b)
			b.SetBytes(3 * benchSize)
			for range b.N {
				opts := Options{Signal: url, Meta: meta, Room: "bench-" + time.Now().Format("150405.000000")}
				if capture {
					hub := lab.NewHub(lab.HubOptions{})
					opts.Tap = hub.Tap(webrtc.Protocol())
				}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
				ms := start(b, ctx, 4, data, opts)
				for _, m := range ms[1:] {
					if err := m.Wait(ctx); err != nil {
						b.Fatal(err)
					}
				}
				cancel()
				// The seed's share of the bytes uploaded: an HTTP server's is 100 %.
				b.ReportMetric(100*float64(ms[0].Stats().Uploaded)/(3*benchSize), "%seed-upload")
				for _, m := range ms {
					m.Close()
				}
			}
		})
	}
	b.Run("http", func(b *testing.B) {
		dir := b.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "big.bin"), data, 0o644); err != nil {
			b.Fatal(err)
		}
		srv := httpserver.New(httpserver.Options{Docroot: os.DirFS(dir)})
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		served := make(chan error, 1)
		go func() { served <- srv.Serve(l) }()
		defer func() {
			srv.Close()
			if err := <-served; !errors.Is(err, httpserver.ErrServerClosed) {
				b.Error(err)
			}
		}()
		url := "http://" + l.Addr().String() + "/big.bin"
		b.SetBytes(3 * benchSize)
		for range b.N {
			var wg sync.WaitGroup
			errs := make(chan error, 3)
			for range 3 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					resp, err := http.Get(url)
					if err != nil {
						errs <- err
						return
					}
					defer resp.Body.Close()
					if n, err := io.Copy(io.Discard, resp.Body); err != nil || n != benchSize {
						errs <- errors.Join(err, errors.New("short body"))
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkChannel is the throughput of one data channel between two lab
// peers, capture off and on: what each link of a swarm can carry. Each op
// sends 16 MiB in 16 KiB messages, and waits for the last.
func BenchmarkChannel(b *testing.B) {
	const size = 16 << 20
	for _, capture := range []bool{false, true} {
		name := "capture=off"
		if capture {
			name = "capture=on"
		}
		b.Run(name, func(b *testing.B) {
			var tap *lab.Tap
			if capture {
				tap = lab.NewHub(lab.HubOptions{}).Tap(webrtc.Protocol())
			}
			ctx := timeout(b, 10*time.Minute)
			a, err := p2pclient.New(p2pclient.Options{Tap: tap, Side: lab.SideClient})
			if err != nil {
				b.Fatal(err)
			}
			defer a.Close()
			got := make(chan int, 1024)
			z, err := p2pclient.New(p2pclient.Options{Tap: tap, Side: lab.SideServer, OnChannel: func(c *p2pclient.Channel) {
				c.OnMessage(func(m p2pclient.Message) { got <- len(m.Data) })
			}})
			if err != nil {
				b.Fatal(err)
			}
			defer z.Close()
			ch, err := a.OpenChannel("bench", p2pclient.ChannelOptions{})
			if err != nil {
				b.Fatal(err)
			}
			offer, err := a.CreateOffer(ctx)
			if err != nil {
				b.Fatal(err)
			}
			answer, err := z.Answer(ctx, offer)
			if err != nil {
				b.Fatal(err)
			}
			if err := a.AcceptAnswer(answer); err != nil {
				b.Fatal(err)
			}
			if err := ch.WaitOpen(ctx); err != nil {
				b.Fatal(err)
			}
			msg := make([]byte, BlockSize)
			b.SetBytes(size)
			b.ResetTimer()
			for range b.N {
				done := make(chan struct{})
				go func() {
					for n := 0; n < size; n += <-got {
					}
					close(done)
				}()
				for n := 0; n < size; n += len(msg) {
					if err := ch.Send(msg); err != nil {
						b.Fatal(err)
					}
				}
				<-done
			}
		})
	}
}
