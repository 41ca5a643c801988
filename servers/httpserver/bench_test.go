package httpserver_test

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/internal/outside"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/servers/httpserver"
)

// BenchmarkRequests measures small GET requests per second over 1 and 50 kept-alive
// connections, with the server's tap off ("untapped") and on with the TCP and HTTP
// analyzers as the app runs them ("tapped"), and the same load against nginx
// with one worker process answering the same response ("nginx"; skipped
// without it).
func BenchmarkRequests(b *testing.B) {
	for _, conns := range []int{1, 50} {
		for _, name := range []string{"untapped", "tapped", "nginx"} {
			b.Run(fmt.Sprintf("conns=%d/%s", conns, name), func(b *testing.B) {
				var addr string
				if name == "nginx" {
					addr = outside.Nginx(b)
				} else {
					var opts httpserver.Options
					if name == "tapped" {
						opts.Tap = appTap("http")
					}
					_, addr = startServer(b, opts)
				}
				benchRequests(b, "http://"+addr+"/status/200", conns)
			})
		}
	}
}

// BenchmarkHTTPSRequests is BenchmarkRequests over TLS 1.3 with HTTP/1.1 (one
// request at a time per connection), and with HTTP/2 (1 connection, or 50 with
// many requests multiplexed over each); the tapped server writes its TLS secrets
// to the hub's key log, and the analyzers decrypt and frame every record.
func BenchmarkHTTPSRequests(b *testing.B) {
	ca, err := labca.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	cert, err := ca.Leaf()
	if err != nil {
		b.Fatal(err)
	}
	for _, h2 := range []bool{false, true} {
		for _, conns := range []int{1, 50} {
			for _, tapped := range []bool{false, true} {
				name := "untapped"
				if tapped {
					name = "tapped"
				}
				proto := "http1.1"
				if h2 {
					proto = "h2"
				}
				b.Run(fmt.Sprintf("%s/conns=%d/%s", proto, conns, name), func(b *testing.B) {
					cfg, err := httpserver.TLSConfig(cert, httpserver.TLS12And13, httpserver.HTTP2On)
					if err != nil {
						b.Fatal(err)
					}
					opts := httpserver.Options{TLS: cfg}
					if tapped {
						opts.Tap = appTap("https")
					}
					_, addr := startServer(b, opts)
					tr := &http.Transport{
						MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
						TLSClientConfig:   &tls.Config{RootCAs: ca.Pool()},
						ForceAttemptHTTP2: h2,
					}
					if !h2 {
						tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
					}
					workers := conns
					if h2 {
						workers = conns * 4 // HTTP/2 multiplexes; keep each connection busy
					}
					benchTransport(b, tr, "https://"+addr+"/status/200", workers)
				})
			}
		}
	}
}

// appTap is a tap on a new hub wired as the app's is: TCP beneath, and for
// "https" TLS decrypted with HTTP/1.x or HTTP/2 inside.
func appTap(name string) *lab.Tap {
	reg := wire.Registry()
	return lab.NewHub(lab.HubOptions{Registry: reg}).Tap(reg.Lookup(name))
}

func benchRequests(b *testing.B, url string, conns int) {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	benchTransport(b, tr, url, conns)
}

// benchTransport sends b.N GETs of url from conns goroutines over tr.
func benchTransport(b *testing.B, tr *http.Transport, url string, conns int) {
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for i := range conns {
		n := b.N / conns
		if i < b.N%conns {
			n++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range n {
				resp, err := c.Get(url)
				if err != nil {
					errs <- err
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}
