package redisserver

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/authdelay"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// TestNewLab: the lab's server reads its setting, refuses a value it does
// not know, and serves on the address it is given.
func TestNewLab(t *testing.T) {
	if _, err := NewLab(lab.ServerOptions{Addr: "127.0.0.1:0", Settings: map[string]string{SettingDefaultUser: "maybe"}}); err == nil {
		t.Error("an unknown default user setting was taken")
	}
	srv, err := NewLab(lab.ServerOptions{Addr: "127.0.0.1:0", Settings: map[string]string{SettingDefaultUser: DefaultUserOn}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, r := rawConn(t, srv.Addr().String())
	c.Write([]byte("PING\r\n"))
	if got := readLine(t, r); got != "+PONG" {
		t.Errorf("PING with the default user on: %q", got)
	}
}

// TestShutdown: Shutdown waits for a connected client, Close ends it.
func TestShutdown(t *testing.T) {
	srv, err := New(Options{DefaultUserOn: true})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	<-srv.Started()
	c, r := rawConn(t, l.Addr().String())
	c.Write([]byte("PING\r\n"))
	readLine(t, r)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown with a client connected = %v, want the deadline", err)
	}
	srv.Close()
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve = %v", err)
	}
	if _, err := r.ReadString('\n'); err == nil {
		t.Error("the client is still connected after Close")
	}
}

// TestCloseDuringAuthDelay: Close ends a connection whose wrong password's
// answer is being held back, without waiting the hold out.
func TestCloseDuringAuthDelay(t *testing.T) {
	var delays servertest.AuthDelays
	guard := &authdelay.Guard{Base: time.Hour}
	guard.Observe(delays.Observe)
	srv, err := New(Options{Guard: guard})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	<-srv.Started()
	c, r := rawConn(t, l.Addr().String())
	c.Write([]byte("AUTH lab wrong\r\n"))
	for len(delays.Counts()) == 0 {
		time.Sleep(time.Millisecond) // until the hold begins
	}
	srv.Close() // a hold of an hour would hang the test
	if line, err := r.ReadString('\n'); err == nil {
		t.Errorf("answered %q after Close, want the connection closed", line)
	}
}
