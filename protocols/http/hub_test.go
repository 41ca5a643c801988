package http_test

import (
	"context"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	httpproto "github.com/protocollab/protolab/protocols/http"
	"github.com/protocollab/protolab/protocols/tcp"
)

// TestHub runs a real net/http server and client over loopback through a hub's
// taps and checks the messages the analyzer framed from their bytes.
func TestHub(t *testing.T) {
	hub, tap := httpHub()

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := nethttp.NewServeMux()
	mux.HandleFunc("/page", func(w nethttp.ResponseWriter, r *nethttp.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "hello")
	})
	mux.HandleFunc("/stream", func(w nethttp.ResponseWriter, r *nethttp.Request) {
		for i := range 3 {
			fmt.Fprintf(w, "line %d\n", i)
			w.(nethttp.Flusher).Flush()
		}
	})
	srv := &nethttp.Server{Handler: mux}
	go srv.Serve(tap.Listener(l))
	defer srv.Close()

	tr := &nethttp.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return tap.Dial(ctx, network, addr)
	}}
	defer tr.CloseIdleConnections()
	client := &nethttp.Client{Transport: tr}
	for _, path := range []string{"/page", "/stream"} {
		resp, err := client.Get("http://" + l.Addr().String() + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	hub.Settle()

	var got []string
	var chunked string
	for _, e := range hub.Events(0) {
		if e.Kind == lab.KindMessage && e.Layer == "http" {
			got = append(got, e.Dir.Arrow()+" "+e.Msg.Summary)
			if strings.HasPrefix(e.Msg.Summary, "200 OK (text/plain; charset") || e.Dir == lab.ServerToClient {
				fields, _ := e.Msg.Detail()
				for _, f := range fields {
					if f.Name == "framing" && strings.HasPrefix(f.Value, "chunked") {
						chunked = e.Msg.Summary
					}
				}
			}
		}
	}
	want := []string{
		"→ GET /page HTTP/1.1", "← 200 OK (text/plain, 5 bytes)",
		"→ GET /stream HTTP/1.1", "← 200 OK (text/plain, 21 bytes)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("messages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if chunked != want[3][len("← "):] {
		t.Errorf("chunked response = %q, want the /stream one", chunked)
	}
	convs := 0
	for _, ci := range hub.Conversations() {
		if ci.Protocol == "http" {
			convs++
		}
	}
	if convs != 1 {
		t.Errorf("conversations = %d, want 1 (keep-alive)", convs)
	}
}

// httpHub is a hub whose registry has TCP and HTTP, and HTTP's tap.
func httpHub() (*lab.Hub, *lab.Tap) {
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	p := httpproto.Protocol()
	reg.Register(p)
	hub := lab.NewHub(lab.HubOptions{Registry: reg})
	return hub, hub.Tap(p)
}
