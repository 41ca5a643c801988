package wsserver

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/wsclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/protocols/websocket"
)

// testServer starts a Server on 127.0.0.1:0 and returns it with its ws:// base URL.
func testServer(t testing.TB, opts Options) (*Server, string) {
	t.Helper()
	srv := New(opts)
	srv.init()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	<-srv.Started()
	t.Cleanup(func() { srv.Close() })
	return srv, "ws://" + srv.Addr().String()
}

// testHub returns a hub with TCP and WebSocket registered, and the ws tap.
func testHub() (*lab.Hub, *lab.Tap) {
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	p := websocket.Protocol()
	reg.Register(p)
	hub := lab.NewHub(lab.HubOptions{Registry: reg})
	return hub, hub.Tap(p)
}

func dial(t testing.TB, url string, opts wsclient.Options) *wsclient.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := wsclient.Dial(ctx, url, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// next returns the next message of c that is not a ping, or fails.
func next(t testing.TB, c *wsclient.Conn) wsclient.Message {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case m, ok := <-c.Receive():
			if !ok {
				t.Fatalf("the connection ended: %v", c.Err())
			}
			if m.Kind != wsclient.KindPing {
				return m
			}
		case <-timeout:
			t.Fatal("nothing arrived in 10 seconds")
		}
	}
}

// joined returns a channel that receives once per chat member that entered the room.
func joined(srv *Server) <-chan struct{} {
	ch := make(chan struct{}, 100)
	srv.h.room.mu.Lock()
	srv.h.room.onJoin = func() { ch <- struct{}{} }
	srv.h.room.mu.Unlock()
	return ch
}
