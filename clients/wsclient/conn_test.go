package wsclient_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/wsclient"
	"github.com/protocollab/protolab/servers/wsserver"
)

// serve runs the lab's WebSocket server on a free port and returns its address.
func serve(t *testing.T) string {
	t.Helper()
	srv := wsserver.New(wsserver.Options{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	<-srv.Started()
	t.Cleanup(func() { srv.Close() })
	return srv.Addr().String()
}

func dial(t *testing.T, url string) (*wsclient.Conn, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return wsclient.Dial(ctx, url, wsclient.Options{Subprotocols: []string{"echo"}})
}

// next is the next message received, failing the test when the connection ends first.
func next(t *testing.T, c *wsclient.Conn) wsclient.Message {
	t.Helper()
	m, ok := <-c.Receive()
	if !ok {
		t.Fatalf("Receive closed, want a message (Err %v)", c.Err())
	}
	return m
}

func TestEchoPingAndClose(t *testing.T) {
	c, err := dial(t, "ws://"+serve(t)+"/ws/echo")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Subprotocol(); got != "echo" {
		t.Errorf("Subprotocol = %q, want echo", got)
	}
	if err := c.SendText("hello"); err != nil {
		t.Fatal(err)
	}
	if m := next(t, c); m.Kind != wsclient.KindText || string(m.Data) != "hello" {
		t.Errorf("after SendText got %s %q, want text \"hello\"", m.Kind, m.Data)
	}
	if err := c.SendBinary([]byte{0, 1, 2}); err != nil {
		t.Fatal(err)
	}
	if m := next(t, c); m.Kind != wsclient.KindBinary || string(m.Data) != "\x00\x01\x02" {
		t.Errorf("after SendBinary got %s %q, want binary 00 01 02", m.Kind, m.Data)
	}
	if err := c.Ping([]byte("p")); err != nil {
		t.Fatal(err)
	}
	if m := next(t, c); m.Kind != wsclient.KindPong || string(m.Data) != "p" {
		t.Errorf("after Ping got %s %q, want pong \"p\"", m.Kind, m.Data)
	}
	if err := c.Ping(make([]byte, 126)); err == nil {
		t.Error("Ping with 126 bytes: no error, want one (at most 125)")
	}
	if err := c.Close(1000, "bye"); err != nil {
		t.Fatal(err)
	}
	for range c.Receive() {
	}
	if err := c.Err(); err != nil {
		t.Errorf("Err after a closing handshake = %v, want nil", err)
	}
	if err := c.SendText("late"); !errors.Is(err, wsclient.ErrClosed) {
		t.Errorf("SendText after Close = %v, want ErrClosed", err)
	}
}

func TestRefusedHandshakeSaysTheStatus(t *testing.T) {
	_, err := dial(t, "ws://"+serve(t)+"/ws/nothing")
	if err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("Dial to an unknown path: err = %v, want one saying 404", err)
	}
}
