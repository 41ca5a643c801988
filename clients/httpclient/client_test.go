package httpclient_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/httpclient"
	"github.com/protocollab/protolab/lab"
	httpproto "github.com/protocollab/protolab/protocols/http"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/httpserver"
)

// lab starts a server on 127.0.0.1:0 with a hub that knows TCP and HTTP, and
// returns the hub, a client-side tap into it and the server's address.
func startLab(t *testing.T) (*lab.Hub, *lab.Tap, string) {
	t.Helper()
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	p := httpproto.Protocol()
	reg.Register(p)
	hub := lab.NewHub(lab.HubOptions{Registry: reg})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httpserver.New(httpserver.Options{Tap: hub.Tap(p)})
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	<-srv.Started()
	t.Cleanup(func() {
		srv.Close()
		if err := <-served; !errors.Is(err, httpserver.ErrServerClosed) {
			t.Errorf("Serve = %v", err)
		}
	})
	return hub, hub.Tap(p), l.Addr().String()
}

// TestConnectionsPerRequest is the lesson of HTTP/1.1's persistent connections:
// N requests with HTTP/1.0 (or 1.1 with keep-alive off) open N TCP connections,
// N three-way handshakes; with HTTP/1.1 keep-alive they share one.
func TestConnectionsPerRequest(t *testing.T) {
	const n = 4
	for _, tt := range []struct {
		version   string
		keepAlive bool
		convs     int
	}{
		{httpclient.Version10, false, n},
		{httpclient.Version10, true, n},
		{httpclient.Version11, false, n},
		{httpclient.Version11, true, 1},
	} {
		name := fmt.Sprintf("HTTP/%s keep-alive %v", tt.version, tt.keepAlive)
		hub, tap, addr := startLab(t)
		c := httpclient.New(httpclient.Options{Tap: tap, KeepAlive: tt.keepAlive})
		convs := map[lab.ConvID]bool{}
		for i := range n {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			r, err := c.Do(ctx, httpclient.Request{URL: "http://" + addr + "/echo?format=text", Version: tt.version})
			cancel()
			if err != nil {
				t.Fatalf("%s: request %d: %v", name, i, err)
			}
			if r.StatusCode != 200 || r.Proto != "HTTP/"+tt.version {
				t.Errorf("%s: %s %s, want HTTP/%s 200", name, r.Proto, r.Status, tt.version)
			}
			if line := "GET /echo?format=text HTTP/" + tt.version; !strings.HasPrefix(string(r.Body), line) {
				t.Errorf("%s: the server read %q, want %q", name, strings.SplitN(string(r.Body), "\n", 2)[0], line)
			}
			if r.Conv == 0 {
				t.Errorf("%s: no conversation for request %d", name, i)
			}
			convs[r.Conv] = true
		}
		c.Close()
		hub.Settle()
		handshakes, requests := 0, 0
		for _, e := range hub.Events(0) {
			switch {
			case e.Kind == lab.KindHandshake && e.Layer == "tcp" && e.Msg.Summary == "SYN":
				handshakes++
			case e.Kind == lab.KindMessage && e.Layer == "http" && e.Dir == lab.ClientToServer:
				requests++
				if want := "HTTP/" + tt.version; !strings.HasSuffix(e.Msg.Summary, want) {
					t.Errorf("%s: on the wire %q, want %s", name, e.Msg.Summary, want)
				}
			}
		}
		if len(convs) != tt.convs || handshakes != tt.convs || requests != n {
			t.Errorf("%s: %d conversations, %d SYNs, %d requests; want %d, %d, %d",
				name, len(convs), handshakes, requests, tt.convs, tt.convs, n)
		}
	}
}

func TestBoundedBody(t *testing.T) {
	_, _, addr := startLab(t)
	r, err := httpclient.Do(context.Background(), httpclient.Request{URL: addr + "/stream/100"},
		httpclient.Options{MaxBodyBytes: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Body) != 100 || !r.Truncated || r.BodyBytes <= 100 {
		t.Errorf("body %d bytes of %d, truncated %v", len(r.Body), r.BodyBytes, r.Truncated)
	}
}

func TestPostAndRedirect(t *testing.T) {
	_, _, addr := startLab(t)
	for _, v := range []string{httpclient.Version10, httpclient.Version11} {
		r, err := httpclient.Do(context.Background(), httpclient.Request{Method: "POST", URL: addr + "/echo",
			Body: []byte("hello"), Header: map[string][]string{"X-Lab": {"1"}}, Version: v}, httpclient.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(r.Body), `"body": "hello"`) || !strings.Contains(string(r.Body), `"X-Lab"`) {
			t.Errorf("HTTP/%s echo = %s", v, r.Body)
		}
		r, err = httpclient.Do(context.Background(), httpclient.Request{URL: addr + "/redirect/2", Version: v}, httpclient.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if r.StatusCode != 302 || r.Header.Get("Location") != "/redirect/1" {
			t.Errorf("HTTP/%s redirect = %s to %q, want 302 to /redirect/1 (not followed)", v, r.Status, r.Header.Get("Location"))
		}
	}
}

func TestBadRequests(t *testing.T) {
	for _, req := range []httpclient.Request{
		{URL: "https://127.0.0.1:1/"},
		{URL: "http:///x"},
		{URL: "127.0.0.1:1/", Version: "2"},
	} {
		if _, err := httpclient.Do(context.Background(), req, httpclient.Options{}); err == nil {
			t.Errorf("Do(%+v) succeeded", req)
		}
	}
}

// TestUntilClose sends HTTP/1.0 to a chunked endpoint: the server cannot chunk for
// 1.0, so the body ends when it closes the connection, and the analyzer shows the
// response only then.
func TestUntilClose(t *testing.T) {
	hub, tap, addr := startLab(t)
	r, err := httpclient.Do(context.Background(), httpclient.Request{URL: addr + "/stream/3", Version: httpclient.Version10},
		httpclient.Options{Tap: tap})
	if err != nil {
		t.Fatal(err)
	}
	hub.Settle()
	var framing, summary string
	for _, e := range hub.Events(0) {
		if e.Kind == lab.KindMessage && e.Layer == "http" && e.Dir == lab.ServerToClient {
			summary = e.Msg.Summary
			fields, _ := e.Msg.Detail()
			for _, f := range fields {
				if f.Name == "framing" {
					framing = f.Value
				}
			}
		}
	}
	if want := fmt.Sprintf("200 OK (application/x-ndjson, %d bytes)", r.BodyBytes); summary != want {
		t.Errorf("response = %q, want %q", summary, want)
	}
	if !strings.HasPrefix(framing, "until the server closes the connection") {
		t.Errorf("framing = %q", framing)
	}
}
