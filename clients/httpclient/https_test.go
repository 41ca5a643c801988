package httpclient_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/httpclient"
	"github.com/protocollab/protolab/clients/labdial"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/httpserver"
)

// httpsProto stands for the HTTPS protocol: TCP beneath, no analyzer of its own
// (the TLS analyzer is wired in by the app).
func httpsProto() *lab.Protocol { return &lab.Protocol{Name: "https", Transport: "tcp"} }

// startTLSLab starts an HTTPS server on 127.0.0.1:0 with a certificate from a CA in
// a temporary folder, and returns the hub, a client-side tap, the CA's pool and
// the server's address.
func startTLSLab(t *testing.T, versions, http2 string) (*lab.Hub, *lab.Tap, *x509.CertPool, string) {
	t.Helper()
	ca, err := labca.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Leaf()
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := httpserver.TLSConfig(cert, versions, http2)
	if err != nil {
		t.Fatal(err)
	}
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	p := httpsProto()
	reg.Register(p)
	hub := lab.NewHub(lab.HubOptions{Registry: reg})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httpserver.New(httpserver.Options{Tap: hub.Tap(p), TLS: cfg})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	<-srv.Started()
	t.Cleanup(func() {
		srv.Close()
		if err := <-served; !errors.Is(err, httpserver.ErrServerClosed) {
			t.Errorf("Serve = %v", err)
		}
	})
	return hub, hub.Tap(p), ca.Pool(), l.Addr().String()
}

// TestHTTPSConnectionsPerRequest is the keep-alive lesson over TLS, where each new
// connection costs a TLS handshake too: N requests with HTTP/1.0 make N
// conversations, with HTTP/1.1 keep-alive one, and with HTTP/2 one, even when the
// requests are sent at once.
func TestHTTPSConnectionsPerRequest(t *testing.T) {
	const n = 4
	for _, tt := range []struct {
		version    string
		keepAlive  bool
		concurrent bool
		convs      int
		proto      string
		alpn       string
	}{
		{httpclient.Version10, true, false, n, "HTTP/1.0", ""},
		{httpclient.Version11, false, false, n, "HTTP/1.1", "http/1.1"},
		{httpclient.Version11, true, false, 1, "HTTP/1.1", "http/1.1"},
		{httpclient.Version20, false, false, 1, "HTTP/2.0", "h2"},
		{httpclient.Version20, true, true, 1, "HTTP/2.0", "h2"},
	} {
		name := fmt.Sprintf("HTTP/%s keep-alive %v concurrent %v", tt.version, tt.keepAlive, tt.concurrent)
		hub, tap, roots, addr := startTLSLab(t, httpserver.TLS12And13, httpserver.HTTP2On)
		c := httpclient.New(httpclient.Options{Tap: tap, KeepAlive: tt.keepAlive, RootCAs: roots})
		var mu sync.Mutex
		convs := map[lab.ConvID]bool{}
		var wg sync.WaitGroup
		for i := range n {
			send := func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				r, err := c.Do(ctx, httpclient.Request{URL: "https://" + addr + "/echo?format=text", Version: tt.version})
				if err != nil {
					t.Errorf("%s: request %d: %v", name, i, err)
					return
				}
				if r.StatusCode != 200 || r.Proto != tt.proto || r.ALPN != tt.alpn || r.TLSVersion != "TLS 1.3" || r.CipherSuite == "" {
					t.Errorf("%s: %s %s over %s %s ALPN %q, want %s 200 over TLS 1.3 ALPN %q",
						name, r.Proto, r.Status, r.TLSVersion, r.CipherSuite, r.ALPN, tt.proto, tt.alpn)
				}
				if line := "GET /echo?format=text " + tt.proto; !strings.HasPrefix(string(r.Body), line) {
					t.Errorf("%s: the server read %q, want %q", name, strings.SplitN(string(r.Body), "\n", 2)[0], line)
				}
				if r.Conv == 0 {
					t.Errorf("%s: no conversation for request %d", name, i)
				}
				mu.Lock()
				convs[r.Conv] = true
				mu.Unlock()
			}
			if tt.concurrent {
				wg.Add(1)
				go func() { defer wg.Done(); send() }()
			} else {
				send()
			}
		}
		wg.Wait()
		c.Close()
		hub.Settle()
		syns, https := 0, 0
		for _, e := range hub.Events(0) {
			if e.Kind == lab.KindHandshake && e.Layer == "tcp" && e.Msg.Summary == "SYN" {
				syns++
			}
		}
		for _, ci := range hub.Conversations() {
			if ci.Protocol == "https" {
				https++
			}
		}
		if len(convs) != tt.convs || syns != tt.convs || https != tt.convs {
			t.Errorf("%s: %d conversations, %d SYNs, %d in the hub; want %d", name, len(convs), syns, https, tt.convs)
		}
		if keys := hub.Keys().Lines(); len(keys) == 0 {
			t.Errorf("%s: no TLS secrets in the hub's key log", name)
		}
	}
}

// TestHTTPSVersions: the client's TLS versions against the server's setting.
func TestHTTPSVersions(t *testing.T) {
	for _, tt := range []struct {
		server      string
		min, max    uint16
		want, error string
	}{
		{httpserver.TLS12Only, 0, 0, "TLS 1.2", ""},
		{httpserver.TLS13Only, 0, 0, "TLS 1.3", ""},
		{httpserver.TLS12And13, 0, tls.VersionTLS12, "TLS 1.2", ""},
		{httpserver.TLS13Only, 0, tls.VersionTLS12, "", "no TLS version in common"},
		{httpserver.TLS12Only, tls.VersionTLS13, 0, "", "no TLS version in common"},
	} {
		_, _, roots, addr := startTLSLab(t, tt.server, httpserver.HTTP2On)
		for _, v := range []string{httpclient.Version10, httpclient.Version11, httpclient.Version20} {
			name := fmt.Sprintf("server %s, client %x..%x, HTTP/%s", tt.server, tt.min, tt.max, v)
			r, err := httpclient.Do(context.Background(), httpclient.Request{URL: "https://" + addr + "/status/204", Version: v},
				httpclient.Options{RootCAs: roots, TLSMinVersion: tt.min, TLSMaxVersion: tt.max})
			if tt.error != "" {
				if err == nil || !strings.Contains(err.Error(), tt.error) {
					t.Errorf("%s: error %v, want one saying %q", name, err, tt.error)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if r.TLSVersion != tt.want || r.StatusCode != 204 {
				t.Errorf("%s: %s over %s, want 204 over %s", name, r.Status, r.TLSVersion, tt.want)
			}
			if tt.want == "TLS 1.2" && !strings.Contains(r.CipherSuite, "ECDHE_ECDSA") {
				t.Errorf("%s: cipher suite %s, want an ECDHE-ECDSA AEAD suite", name, r.CipherSuite)
			}
		}
	}
}

// TestHTTP2Off: a client asking for HTTP/2 from a server that offers only
// http/1.1 gets HTTP/1.1, as browsers do.
func TestHTTP2Off(t *testing.T) {
	_, _, roots, addr := startTLSLab(t, httpserver.TLS12And13, httpserver.HTTP2Off)
	r, err := httpclient.Do(context.Background(), httpclient.Request{URL: "https://" + addr + "/", Version: httpclient.Version20},
		httpclient.Options{RootCAs: roots})
	if err != nil {
		t.Fatal(err)
	}
	if r.Proto != "HTTP/1.1" || r.ALPN != "http/1.1" {
		t.Errorf("%s with ALPN %q, want HTTP/1.1 with http/1.1", r.Proto, r.ALPN)
	}
}

func TestHTTPSUntrusted(t *testing.T) {
	_, _, _, addr := startTLSLab(t, httpserver.TLS12And13, httpserver.HTTP2On)
	for _, v := range []string{httpclient.Version10, httpclient.Version11, httpclient.Version20} {
		_, err := httpclient.Do(context.Background(), httpclient.Request{URL: "https://" + addr + "/", Version: v}, httpclient.Options{})
		if err == nil || !strings.Contains(err.Error(), "the lab's CA") {
			t.Errorf("HTTP/%s without the lab's CA: %v, want an error naming the lab's CA", v, err)
		}
	}
	other, err := labca.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := httpclient.Do(context.Background(), httpclient.Request{URL: "https://" + addr + "/"},
		httpclient.Options{RootCAs: other.Pool()}); err == nil {
		t.Error("a client trusting another CA accepted the server")
	}
}

func TestHTTP2NeedsHTTPS(t *testing.T) {
	_, err := httpclient.Do(context.Background(), httpclient.Request{URL: "http://127.0.0.1:1/", Version: httpclient.Version20}, httpclient.Options{})
	if err == nil || !strings.Contains(err.Error(), "https://") {
		t.Errorf("HTTP/2 over http:// = %v, want an error asking for https://", err)
	}
}

// TestHTTPSDialer: with a labdial.Dialer the connection goes through the dialer's
// tap, and a name the server's certificate covers verifies.
func TestHTTPSDialer(t *testing.T) {
	hub, tap, roots, addr := startTLSLab(t, httpserver.TLS12And13, httpserver.HTTP2On)
	_, port, _ := net.SplitHostPort(addr)
	for _, v := range []string{httpclient.Version10, httpclient.Version11, httpclient.Version20} {
		r, err := httpclient.Do(context.Background(), httpclient.Request{URL: "https://localhost:" + port + "/echo", Version: v},
			httpclient.Options{Dialer: &labdial.Dialer{Tap: tap}, RootCAs: roots})
		if err != nil {
			t.Fatalf("HTTP/%s: %v", v, err)
		}
		if r.Conv == 0 {
			t.Errorf("HTTP/%s through a Dialer: no conversation", v)
		}
	}
	if len(hub.Keys().Lines()) == 0 {
		t.Error("no TLS secrets in the hub's key log: the Dialer's tap's hub should get them")
	}
}
