package tls_test

import (
	"bytes"
	"context"
	stdtls "crypto/tls"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	tlsproto "github.com/protocollab/protolab/protocols/tls"
)

// TestOpenSSLClient has OpenSSL's s_client, a client outside the lab, ask the
// lab's HTTPS server (crypto/tls and net/http, tapped, writing the key log) for a
// page, for each TLS 1.3 cipher suite and a TLS 1.2 one: the analyzer must decrypt
// what OpenSSL sent with the secrets only the server logged.
func TestOpenSSLClient(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed (Debian package openssl): skipping the test against an outside client")
	}
	certificates(t)
	tests := []struct {
		args  []string
		suite string
	}{
		{[]string{"-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256"}, "TLS_AES_128_GCM_SHA256"},
		{[]string{"-tls1_3", "-ciphersuites", "TLS_AES_256_GCM_SHA384"}, "TLS_AES_256_GCM_SHA384"},
		{[]string{"-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"}, "TLS_CHACHA20_POLY1305_SHA256"},
		{[]string{"-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384"}, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
		{[]string{"-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305"}, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
	}
	for _, tt := range tests {
		t.Run(tt.suite, func(t *testing.T) {
			tl := newTestLab(httpInner)
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			srv := &nethttp.Server{
				Handler: nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
					fmt.Fprintf(w, "hello %s", r.TLS.ServerName)
				}),
				TLSConfig:    tl.serverConfig(true),
				TLSNextProto: map[string]func(*nethttp.Server, *stdtls.Conn, nethttp.Handler){},
			}
			go srv.ServeTLS(tl.tap.Listener(l), "", "")
			defer srv.Close()

			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			args := append([]string{"s_client", "-connect", l.Addr().String(), "-servername", labName,
				"-alpn", "http/1.1", "-quiet"}, tt.args...)
			cmd := exec.CommandContext(ctx, "openssl", args...)
			cmd.Stdin = strings.NewReader("GET /page HTTP/1.1\r\nHost: " + labName + "\r\nConnection: close\r\n\r\n")
			out, err := cmd.CombinedOutput()
			if !strings.Contains(string(out), "hello "+labName) {
				t.Fatalf("openssl s_client: %v\n%s", err, out)
			}
			srv.Close()
			tl.hub.Settle()
			events := tl.hub.Events(0)
			if testing.Verbose() {
				t.Logf("tls:\n%s", strings.Join(messages(events, "tls"), "\n"))
			}
			ch := find(events, "tls", "ClientHello for "+labName)
			if ch == nil || field(ch, "ALPN offered") != "http/1.1" {
				t.Errorf("ClientHello = %v, want one for %s offering http/1.1", ch, labName)
			}
			if sh := find(events, "tls", "ServerHello"); sh == nil || !strings.Contains(sh.Summary, tt.suite) {
				t.Errorf("ServerHello = %v, want %s", sh, tt.suite)
			}
			got := messages(events, "http")
			if len(got) != 2 || got[0] != "→ GET /page HTTP/1.1" || !strings.HasPrefix(got[1], "← 200 OK (text/plain") {
				t.Errorf("http messages = %q, want the request and its 200 response", got)
			}
			path := checkTransitions(t, events, "tls")
			if !slices.Contains(path, tlsproto.StateEstablished) {
				t.Errorf("states = %q, want established", path)
			}
		})
	}
}

// TestOpenSSLKeyUpdate has OpenSSL's s_client send a TLS 1.3 KeyUpdate between two
// lines (its interactive "K" command, which asks the server for one back): the
// analyzer follows both sides to their next traffic secrets and still decrypts.
func TestOpenSSLKeyUpdate(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed (Debian package openssl): skipping the test against an outside client")
	}
	certificates(t)
	tl := newTestLab(lineInner)
	sub := tl.hub.Subscribe(true)
	defer sub.Close()
	addr, done := tl.echoServer(t, tl.serverConfig(true))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "openssl", "s_client", "-connect", addr, "-servername", labName, "-tls1_3")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// s_client takes a command only at the start of what it reads at once, so
	// each step waits until the analyzer has seen the one before.
	waitFor := func(layer, prefix string) {
		t.Helper()
		for {
			events, _ := sub.Next(0)
			if find(events, layer, prefix) != nil {
				return
			}
			select {
			case <-sub.Ready():
			case <-ctx.Done():
				t.Fatalf("no %s message %q: %v\n%s", layer, prefix, ctx.Err(), out.String())
			}
		}
	}
	io.WriteString(stdin, "hello\n")
	waitFor("line", "hello")
	io.WriteString(stdin, "K\n")
	waitFor("tls", "KeyUpdate: the server")
	io.WriteString(stdin, "world\n")
	waitFor("line", "world")
	stdin.Close()
	cmd.Wait()
	<-done
	tl.hub.Settle()
	events := tl.hub.Events(0)
	if testing.Verbose() {
		t.Logf("tls:\n%s", strings.Join(messages(events, "tls"), "\n"))
	}
	if m := find(events, "tls", "KeyUpdate: the client switches to new keys and asks the peer"); m == nil {
		t.Error("no KeyUpdate from the client")
	}
	got := messages(events, "line")
	want := []string{"→ hello", "← hello", "→ world", "← world"}
	if !slices.Equal(got, want) {
		t.Errorf("inner messages = %q, want %q", got, want)
	}
	checkTransitions(t, events, "tls")
}
