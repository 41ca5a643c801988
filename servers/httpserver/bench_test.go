package httpserver_test

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/internal/outside"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/servers/httpserver"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// BenchmarkRequests measures small GET requests per second over 1 and 50 kept-alive
// connections, with the server's tap off ("untapped") and on with the TCP and HTTP
// analyzers as the app runs them ("tapped"), and the same load against nginx
// with one worker process answering the same response ("nginx"; skipped
// without it). "tapped-full" begins with the hub at its bound, as the capture
// runs once the lab has captured its first MaxBytes; "tapped" begins with an
// empty hub, so a short run measures mostly the hub filling.
func BenchmarkRequests(b *testing.B) {
	for _, conns := range []int{1, 50} {
		for _, name := range []string{"untapped", "tapped", "tapped-full", "nginx"} {
			b.Run(fmt.Sprintf("conns=%d/%s", conns, name), func(b *testing.B) {
				var addr string
				var full *lab.Hub
				if name == "nginx" {
					addr = outside.Nginx(b)
				} else {
					var opts httpserver.Options
					if name != "untapped" {
						var hub *lab.Hub
						hub, opts.Tap = appTap("http")
						if name == "tapped-full" {
							full = hub
						}
					}
					_, addr = startServer(b, opts)
				}
				tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
				benchTransport(b, tr, "http://"+addr+"/status/200", conns, full)
			})
		}
	}
}

// BenchmarkHTTPSRequests is BenchmarkRequests over TLS 1.3 with HTTP/1.1 (one
// request at a time per connection), and with HTTP/2 (1 connection, or 50 with
// many requests multiplexed over each); the tapped server writes its TLS secrets
// to the hub's key log, and the analyzers decrypt and frame every record
// ("tapped-full": from the hub at its bound, as BenchmarkRequests).
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
			for _, name := range []string{"untapped", "tapped", "tapped-full"} {
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
					var full *lab.Hub
					if name != "untapped" {
						var hub *lab.Hub
						hub, opts.Tap = appTap("https")
						if name == "tapped-full" {
							full = hub
						}
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
					benchTransport(b, tr, "https://"+addr+"/status/200", workers, full)
				})
			}
		}
	}
}

// appTap is a tap on a new hub wired as the app's is: TCP beneath, and for
// "https" TLS decrypted with HTTP/1.x or HTTP/2 inside.
func appTap(name string) (*lab.Hub, *lab.Tap) {
	reg := wire.Registry()
	hub := lab.NewHub(lab.HubOptions{Registry: reg})
	return hub, hub.Tap(reg.Lookup(name))
}

// benchTransport sends b.N GETs of url from conns goroutines over tr; with
// full, a hub filled to its bound first (servertest.FillHub).
func benchTransport(b *testing.B, tr *http.Transport, url string, conns int, full *lab.Hub) {
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	get := func(int) error {
		resp, err := c.Get(url)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
	run := func(total int) error { return servertest.Spread(total, conns, get) }
	servertest.FillHub(b, full, run)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := servertest.CPUTime(b, 0)
	err := run(b.N)
	cpu = servertest.CPUTime(b, 0) - cpu
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	// The CPU a request takes, the client's (in this process) included.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/req")
	if err != nil {
		b.Fatal(err)
	}
}
