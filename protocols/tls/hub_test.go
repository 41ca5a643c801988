package tls_test

import (
	"context"
	stdtls "crypto/tls"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	"slices"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	tlsproto "github.com/protocollab/protolab/protocols/tls"
)

// echoOverTLS runs one tapped TLS connection between crypto/tls's client and an
// echo server: the client sends two lines and reads them back. It returns the
// hub's events once the analysis has caught up.
func echoOverTLS(t *testing.T, tl *testLab, server, client *stdtls.Config) []lab.Event {
	t.Helper()
	addr, done := tl.echoServer(t, server)
	raw, err := tl.tap.Dial(context.Background(), "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c := stdtls.Client(raw, client)
	if _, err := c.Write([]byte("hello\nworld\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(c, make([]byte, 12)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	<-done
	tl.hub.Settle()
	return tl.hub.Events(0)
}

func (tl *testLab) clientConfig(keys bool) *stdtls.Config {
	pool := x509Pool(testCerts)
	cfg := &stdtls.Config{ServerName: labName, RootCAs: pool, NextProtos: []string{"http/1.1"},
		ClientSessionCache: stdtls.NewLRUClientSessionCache(4)} // so that the server sends a ticket
	if keys {
		cfg.KeyLogWriter = tl.hub.Keys()
	}
	return cfg
}

var suiteTests = []struct {
	version uint16
	suite   uint16 // 0: TLS 1.3, crypto/tls's choice
}{
	{stdtls.VersionTLS13, 0},
	{stdtls.VersionTLS12, stdtls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
	{stdtls.VersionTLS12, stdtls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384},
	{stdtls.VersionTLS12, stdtls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256},
	{stdtls.VersionTLS12, stdtls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256},
	{stdtls.VersionTLS12, stdtls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384},
	{stdtls.VersionTLS12, stdtls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256},
}

// TestHubDecrypts runs crypto/tls's client and server through the lab for TLS 1.3
// and each TLS 1.2 AEAD suite, and checks the handshake the analyzer explains and
// the lines it decrypted and handed to the inner analyzer.
func TestHubDecrypts(t *testing.T) {
	certificates(t)
	for _, tt := range suiteTests {
		name := stdtls.VersionName(tt.version)
		if tt.suite != 0 {
			name += " " + stdtls.CipherSuiteName(tt.suite)
		}
		t.Run(name, func(t *testing.T) {
			tl := newTestLab(lineInner)
			client := tl.clientConfig(true)
			client.MinVersion, client.MaxVersion = tt.version, tt.version
			if tt.suite != 0 {
				client.CipherSuites = []uint16{tt.suite}
			}
			events := echoOverTLS(t, tl, tl.serverConfig(true), client)
			if testing.Verbose() {
				t.Logf("tls:\n%s", strings.Join(messages(events, "tls"), "\n"))
			}

			ch := find(events, "tls", "ClientHello")
			if ch == nil {
				t.Fatal("no ClientHello")
			}
			if got := field(ch, "SNI (server name)"); got != labName {
				t.Errorf("ClientHello SNI = %q, want %q", got, labName)
			}
			if got := field(ch, "ALPN offered"); got != "http/1.1" {
				t.Errorf("ClientHello ALPN = %q, want http/1.1", got)
			}
			if got := field(ch, "client random"); len(got) != 64 {
				t.Errorf("ClientHello random = %q, want 32 bytes in hex", got)
			}
			sh := find(events, "tls", "ServerHello")
			if sh == nil {
				t.Fatal("no ServerHello")
			}
			if tt.suite != 0 && !strings.Contains(sh.Summary, stdtls.CipherSuiteName(tt.suite)) || !strings.Contains(sh.Summary, stdtls.VersionName(tt.version)) {
				t.Errorf("ServerHello = %q, want %s", sh.Summary, name)
			}
			alpn := "ALPN http/1.1"
			if tt.version == stdtls.VersionTLS13 {
				if find(events, "tls", "encrypted from here") == nil {
					t.Error(`no "encrypted from here" message after the TLS 1.3 ServerHello`)
				}
				ee := find(events, "tls", "EncryptedExtensions")
				if ee == nil || !strings.Contains(ee.Summary, alpn) {
					t.Errorf("EncryptedExtensions = %v, want one with %s", ee, alpn)
				}
				for _, want := range []string{"CertificateVerify", "Finished (server)", "Finished (client)", "NewSessionTicket"} {
					if find(events, "tls", want) == nil {
						t.Errorf("no decrypted %s", want)
					}
				}
			} else {
				if !strings.Contains(sh.Summary, alpn) {
					t.Errorf("ServerHello = %q, want %s (in the clear in TLS 1.2)", sh.Summary, alpn)
				}
				for _, want := range []string{"ServerKeyExchange: ECDHE", "ServerHelloDone", "ClientKeyExchange: ECDHE",
					"ChangeCipherSpec: the client", "ChangeCipherSpec: the server", "Finished (client)", "Finished (server)"} {
					if find(events, "tls", want) == nil {
						t.Errorf("no %s", want)
					}
				}
			}
			cert := find(events, "tls", "Certificate: CN="+labName)
			if cert == nil {
				t.Error("no Certificate for " + labName)
			} else if got := field(cert, "certificate 1 names (SAN)"); got != labName+", 127.0.0.1" {
				t.Errorf("certificate SANs = %q", got)
			}
			if find(events, "tls", "Alert: close_notify") == nil {
				t.Error("no decrypted close_notify")
			}
			lines := messages(events, "line")
			want := []string{"→ hello", "→ world", "← hello", "← world"}
			slices.Sort(lines)
			slices.Sort(want)
			if !slices.Equal(lines, want) {
				t.Errorf("inner messages = %q, want %q", lines, want)
			}
			// The plaintext the lines point into counts against the hub's
			// bound, once: 12 bytes each way.
			held := 0
			for _, e := range events {
				if e.Msg != nil && e.Layer == "line" {
					held += e.Msg.Held()
				}
			}
			if held != 24 {
				t.Errorf("the inner messages hold %d bytes, want the 24 of plaintext", held)
			}
			path := checkTransitions(t, events, "tls")
			if !slices.Contains(path, tlsproto.StateEstablished) || path[len(path)-1] != tlsproto.StateClosed {
				t.Errorf("states = %q, want established and at last closed", path)
			}
			for _, e := range events {
				if e.Kind == lab.KindError {
					t.Errorf("error event: %s", e.Text)
				}
			}
		})
	}
}

// TestHubWithoutKeys checks that a connection whose secrets the lab does not
// have shows its records as encrypted, saying so, rather than dropping them.
func TestHubWithoutKeys(t *testing.T) {
	certificates(t)
	for _, v := range []uint16{stdtls.VersionTLS13, stdtls.VersionTLS12} {
		t.Run(stdtls.VersionName(v), func(t *testing.T) {
			tl := newTestLab(lineInner)
			client := tl.clientConfig(false)
			client.MaxVersion = v
			events := echoOverTLS(t, tl, tl.serverConfig(false), client)
			if testing.Verbose() {
				t.Logf("tls:\n%s", strings.Join(messages(events, "tls"), "\n"))
			}
			m := find(events, "tls", "encrypted application data (")
			if m == nil || !strings.HasSuffix(m.Summary, "bytes) — the lab has no key for this connection") {
				t.Errorf("no-key message = %v, want encrypted application data (N bytes) — the lab has no key for this connection", m)
			}
			if find(events, "tls", "ClientHello for "+labName) == nil {
				t.Error("no ClientHello: the clear part should still be shown")
			}
			if got := messages(events, "line"); len(got) != 0 {
				t.Errorf("inner messages without keys: %q", got)
			}
			path := checkTransitions(t, events, "tls")
			if !slices.Contains(path, tlsproto.StateEstablished) {
				t.Errorf("states = %q, want established even without keys", path)
			}
		})
	}
}

// TestHubHTTPS runs net/http's server and client over TLS through the lab: the
// decrypted HTTP/1.1 is shown as the "http" layer.
func TestHubHTTPS(t *testing.T) {
	certificates(t)
	tl := newTestLab(httpInner)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &nethttp.Server{
		Handler: nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
			fmt.Fprint(w, "hello over TLS")
		}),
		TLSConfig:    tl.serverConfig(true),
		TLSNextProto: map[string]func(*nethttp.Server, *stdtls.Conn, nethttp.Handler){},
	}
	go srv.ServeTLS(tl.tap.Listener(l), "", "")
	defer srv.Close()
	// lab names resolve only through the lab's resolver: dial the server's address
	tr := &nethttp.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return tl.tap.Dial(ctx, network, l.Addr().String())
		},
		TLSClientConfig: tl.clientConfig(true),
	}
	client := &nethttp.Client{Transport: tr}
	resp, err := client.Get("https://" + labName + "/page")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello over TLS" {
		t.Fatalf("body = %q", body)
	}
	tr.CloseIdleConnections()
	srv.Close()
	tl.hub.Settle()
	events := tl.hub.Events(0)
	got := messages(events, "http")
	want := []string{"→ GET /page HTTP/1.1", "← 200 OK (text/plain, 14 bytes)"}
	if len(got) < 2 || got[0] != want[0] || !strings.HasPrefix(got[1], "← 200 OK (text/plain") {
		t.Errorf("http messages = %q, want %q", got, want)
	}
	var states []string
	for _, e := range events {
		if e.Kind == lab.KindState && e.Layer == "http" {
			states = append(states, e.To)
		}
	}
	if len(states) == 0 || states[0] != "request" {
		t.Errorf("http states = %q, want them to begin with request", states)
	}
}

// TestHubHelloRetry makes the server want a group the client sent no key share
// for: the analyzer recognises the HelloRetryRequest and follows the second
// ClientHello to a decrypted connection.
func TestHubHelloRetry(t *testing.T) {
	certificates(t)
	tl := newTestLab(lineInner)
	server := tl.serverConfig(true)
	server.CurvePreferences = []stdtls.CurveID{stdtls.CurveP384}
	events := echoOverTLS(t, tl, server, tl.clientConfig(true))
	if testing.Verbose() {
		t.Logf("tls:\n%s", strings.Join(messages(events, "tls"), "\n"))
	}
	if m := find(events, "tls", "HelloRetryRequest: the server wants a key share for CurveP384"); m == nil {
		t.Error("no HelloRetryRequest")
	}
	n := 0
	for _, s := range messages(events, "tls") {
		if strings.HasPrefix(s, "→ ClientHello") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d ClientHellos, want 2", n)
	}
	if got := messages(events, "line"); len(got) != 4 {
		t.Errorf("inner messages = %q, want 4 lines", got)
	}
	path := checkTransitions(t, events, "tls")
	want := []string{tlsproto.StateClientHello, tlsproto.StateHelloRetry, tlsproto.StateClientHello, tlsproto.StateServerHello,
		tlsproto.StateEncryptedHandshake, tlsproto.StateEstablished}
	if len(path) < len(want) || !slices.Equal(path[:len(want)], want) {
		t.Errorf("states = %q, want them to begin %q", path, want)
	}
}
