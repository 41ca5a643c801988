package wsserver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/wsclient"
)

func TestEcho(t *testing.T) {
	_, base := testServer(t, Options{})
	c := dial(t, base+"/ws/echo", wsclient.Options{Subprotocols: []string{"echo"}})
	if got := c.Subprotocol(); got != "echo" {
		t.Errorf("Subprotocol = %q, want echo", got)
	}
	if err := c.SendText("hello"); err != nil {
		t.Fatal(err)
	}
	if m := next(t, c); m.Kind != wsclient.KindText || string(m.Data) != "hello" {
		t.Errorf("echo = %v %q, want text hello", m.Kind, m.Data)
	}
	bin := []byte{0, 1, 2, 255}
	c.SendBinary(bin)
	if m := next(t, c); m.Kind != wsclient.KindBinary || !bytes.Equal(m.Data, bin) {
		t.Errorf("echo = %v %x, want binary %x", m.Kind, m.Data, bin)
	}
	c.Ping([]byte("are you there"))
	if m := next(t, c); m.Kind != wsclient.KindPong || string(m.Data) != "are you there" {
		t.Errorf("after ping = %v %q, want the pong", m.Kind, m.Data)
	}
	if err := c.Close(4001, "done testing"); err != nil {
		t.Fatal(err)
	}
	if err := c.Err(); err != nil {
		t.Errorf("Err after Close = %v", err)
	}
}

// TestEchoSizes: the echo reuses one buffer per connection, so each message
// comes back whole and alone whatever came before it: empty, larger than the
// room kept between messages, then small again.
func TestEchoSizes(t *testing.T) {
	_, base := testServer(t, Options{})
	c := dial(t, base+"/ws/echo", wsclient.Options{})
	defer c.Close(1000, "")
	for i, n := range []int{5, 0, echoKeep + 1000, 3, 200 << 10, 0, 7} {
		msg := bytes.Repeat([]byte{byte('a' + i)}, n)
		if err := c.SendBinary(msg); err != nil {
			t.Fatal(err)
		}
		if m := next(t, c); m.Kind != wsclient.KindBinary || !bytes.Equal(m.Data, msg) {
			t.Fatalf("message %d (%d bytes): echo = %v, %d bytes", i, n, m.Kind, len(m.Data))
		}
	}
}

// TestCloseRoundTrip checks that the server answers a close frame with the same
// code, and that a shutting-down server says 1001.
func TestCloseRoundTrip(t *testing.T) {
	srv, base := testServer(t, Options{})
	c := dial(t, base+"/ws/echo", wsclient.Options{})
	c.SendText("x")
	next(t, c)
	done := make(chan wsclient.Message, 1)
	go func() {
		for m := range c.Receive() {
			if m.Kind == wsclient.KindClose {
				done <- m
			}
		}
	}()
	c.Close(4321, "bye now")
	select {
	case m := <-done:
		if m.Code != 4321 {
			t.Errorf("server's close code = %d, want 4321", m.Code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no close frame from the server")
	}

	c2 := dial(t, base+"/ws/chat", wsclient.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go srv.Shutdown(ctx)
	m := next(t, c2)
	if m.Kind != wsclient.KindClose || m.Code != 1001 {
		t.Errorf("on shutdown got %v %d %q, want close 1001", m.Kind, m.Code, m.Reason)
	}
	c2.Close(0, "")
}

func TestChat(t *testing.T) {
	srv, base := testServer(t, Options{})
	in := joined(srv)
	var cs []*wsclient.Conn
	for range 4 {
		c := dial(t, base+"/ws/chat", wsclient.Options{Subprotocols: []string{"chat"}})
		defer c.Close(1000, "")
		if got := c.Subprotocol(); got != "chat" {
			t.Errorf("Subprotocol = %q, want chat", got)
		}
		<-in
		cs = append(cs, c)
	}
	if got := srv.Sessions(); got != 4 {
		t.Errorf("Sessions = %d, want 4", got)
	}
	for i, c := range cs {
		c.SendText(fmt.Sprintf("hello from %d", i))
	}
	for i, c := range cs {
		got := map[string]bool{}
		for range cs {
			got[string(next(t, c).Data)] = true
		}
		for k := range cs {
			if want := fmt.Sprintf("hello from %d", k); !got[want] {
				t.Errorf("client %d got %v, missing %q", i, got, want)
			}
		}
	}
}

func TestLimits(t *testing.T) {
	_, base := testServer(t, Options{MaxMessageBytes: 100, MaxClients: 1})
	c := dial(t, base+"/ws/echo", wsclient.Options{})
	defer c.Close(1000, "")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := wsclient.Dial(ctx, base+"/ws/echo", wsclient.Options{}); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("second client: err = %v, want a 503 refusal", err)
	}
	c.SendText(strings.Repeat("a", 101))
	if m := next(t, c); m.Kind != wsclient.KindClose || m.Code != 1009 {
		t.Errorf("after a long message got %v %d, want close 1009", m.Kind, m.Code)
	}
}

func TestPage(t *testing.T) {
	_, base := testServer(t, Options{})
	resp, err := http.Get("http" + strings.TrimPrefix(base, "ws") + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "/ws/chat") {
		t.Errorf("/ serves %q, want the chat page", b[:min(len(b), 200)])
	}
}
