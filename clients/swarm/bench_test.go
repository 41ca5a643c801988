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
