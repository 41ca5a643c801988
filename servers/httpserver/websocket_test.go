package httpserver_test

import (
	"context"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/wsclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/protocols/websocket"
	"github.com/protocollab/protolab/servers/httpserver"
)

// TestWebSocketOnTheHTTPPort upgrades /ws/echo on the HTTP server's own port:
// the HTTP analyzer hands the connection to WebSocket's after the 101, and Close
// ends the WebSocket though net/http has let go of it.
func TestWebSocketOnTheHTTPPort(t *testing.T) {
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	p := &lab.Protocol{Name: "http", Transport: "tcp", NewAnalyzer: func() lab.Analyzer { return websocket.NewHTTPAnalyzer() }}
	reg.Register(p)
	h := lab.NewHub(lab.HubOptions{Registry: reg})
	srv, addr := startServer(t, httpserver.Options{Tap: h.Tap(p)})

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := wsclient.Dial(ctx, "ws://"+addr+"/ws/echo", wsclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SendText("hello over the HTTP port"); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-c.Receive():
		if string(m.Data) != "hello over the HTTP port" {
			t.Errorf("echo = %q", m.Data)
		}
	case <-ctx.Done():
		t.Fatal("no echo")
	}
	if n := srv.Sessions(); n != 1 {
		t.Errorf("Sessions = %d with one WebSocket open, want 1", n)
	}
	srv.Close()
	select {
	case _, ok := <-c.Receive():
		for ok {
			_, ok = <-c.Receive()
		}
	case <-ctx.Done():
		t.Fatal("the WebSocket outlived the server's Close")
	}
	h.Settle()
	var frames, states int
	for _, e := range h.Events(0) {
		switch {
		case e.Layer == websocket.Layer && e.Kind == lab.KindMessage:
			frames++
		case e.Layer == websocket.Layer && e.Kind == lab.KindState && e.To == "OPEN":
			states++
		}
	}
	if frames < 2 || states != 1 {
		t.Errorf("%d WebSocket frames and %d moves to OPEN seen on the HTTP port, want the echo's frames and one", frames, states)
	}
}
