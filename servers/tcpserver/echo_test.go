package tcpserver_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/tcpserver"
)

func TestEchoRoundTrip(t *testing.T) {
	for _, tapped := range []bool{false, true} {
		t.Run(map[bool]string{false: "untapped", true: "tapped"}[tapped], func(t *testing.T) {
			var opts tcpserver.Options
			hub := newHub()
			if tapped {
				opts.Tap = hub.Tap(tcpProtocol())
			}
			srv, addr := startServer(t, opts)
			c := dialLines(t, addr)
			for _, msg := range []string{"hello\n", "a second line\n", "\x00\xffbinary\n"} {
				if _, err := c.Write([]byte(msg)); err != nil {
					t.Fatal(err)
				}
				got, err := c.line()
				if err != nil || got != msg {
					t.Fatalf("echo = %q, %v; want %q", got, err, msg)
				}
			}
			if n := srv.Sessions(); n != 1 {
				t.Errorf("Sessions = %d, want 1", n)
			}
			convs := hub.Conversations()
			if tapped && (len(convs) != 1 || !convs[0].ServerSeen || convs[0].BytesC2S == 0) {
				t.Errorf("conversations = %+v, want one seen by the server", convs)
			}
			if !tapped && len(convs) != 0 {
				t.Errorf("untapped server recorded %d conversations", len(convs))
			}
		})
	}
}

// dataBytes joins the payloads of the KindData events that side saw in dir.
func dataBytes(events []lab.Event, side lab.Side, dir lab.Dir) []byte {
	var b []byte
	for _, e := range events {
		if e.Kind == lab.KindData && e.Side == side && e.Dir == dir {
			b = append(b, e.Data...)
		}
	}
	return b
}

func TestTapRecordsExactBytes(t *testing.T) {
	hub := newHub()
	p := tcpProtocol()
	p.CaptureLimit = 0 // "Data kept: all": every byte, to check the tap's
	tap := hub.Tap(p)
	_, addr := startServer(t, tcpserver.Options{Tap: tap})

	sent := make([]byte, 3<<20)
	rand.Read(sent)
	c, err := tap.Dial(context.Background(), "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go func() {
		// Uneven chunks, so the tap sees writes of many sizes.
		for b, n := sent, 1; len(b) > 0; n = n*3%65521 + 1 {
			n = min(n, len(b))
			if _, err := c.Write(b[:n]); err != nil {
				return
			}
			b = b[n:]
		}
		c.(interface{ CloseWrite() error }).CloseWrite()
	}()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, sent) {
		t.Fatalf("echoed %d bytes, want the %d sent", len(got), len(sent))
	}
	c.Close()
	hub.Settle() // the bytes' events are published with the conversation's analysis

	conv := lab.ConnConversation(c)
	events := hub.ConvEvents(conv.ID())
	for _, side := range []lab.Side{lab.SideClient, lab.SideServer} {
		for _, dir := range []lab.Dir{lab.ClientToServer, lab.ServerToClient} {
			if rec := dataBytes(events, side, dir); !bytes.Equal(rec, sent) {
				t.Errorf("the %s's tap recorded %d bytes %s, want exactly the %d sent", side, len(rec), dir, len(sent))
			}
		}
	}
	if st := hub.Stats(); st.Dropped != 0 {
		t.Errorf("hub dropped %d events", st.Dropped)
	}
	info := conv.Info(false)
	if info.BytesC2S != int64(len(sent)) || info.BytesS2C != int64(len(sent)) {
		t.Errorf("conversation counted %d/%d bytes, want %d each way", info.BytesC2S, info.BytesS2C, len(sent))
	}
	if !info.ClientSeen || !info.ServerSeen {
		t.Errorf("ClientSeen, ServerSeen = %v, %v; want both", info.ClientSeen, info.ServerSeen)
	}
}

func TestShutdownWaitsForSessions(t *testing.T) {
	srv, addr := startServer(t, tcpserver.Options{})
	c := dialLines(t, addr)
	c.Write([]byte("ping\n"))
	if _, err := c.line(); err != nil { // the session is surely registered now
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Shutdown(cancelled ctx) = %v with a live session, want context.Canceled", err)
	}

	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(context.Background()) }()
	// The live session is still served while Shutdown waits.
	c.Write([]byte("still here\n"))
	if got, err := c.line(); got != "still here\n" {
		t.Fatalf("echo during Shutdown = %q, %v", got, err)
	}
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned %v while a session was live", err)
	default:
	}
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Error("a new connection was accepted during Shutdown")
	}
	c.Close()
	if err := <-done; err != nil {
		t.Fatalf("Shutdown = %v", err)
	}
	if n := srv.Sessions(); n != 0 {
		t.Errorf("Sessions after Shutdown = %d", n)
	}
}

func TestCloseDropsSessions(t *testing.T) {
	srv, addr := startServer(t, tcpserver.Options{Mode: tcpserver.ModeChat})
	c := dialLines(t, addr)
	c.Write([]byte("hi\n"))
	if _, err := c.line(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.line(); err == nil {
		t.Error("the connection stayed open after Close")
	}
	if n := srv.Sessions(); n != 0 {
		t.Errorf("Sessions after Close = %d", n)
	}
}

func TestMaxClients(t *testing.T) {
	_, addr := startServer(t, tcpserver.Options{MaxClients: 1})
	first := dialLines(t, addr)
	first.Write([]byte("x\n"))
	if _, err := first.line(); err != nil {
		t.Fatal(err)
	}
	second := dialLines(t, addr)
	got, _ := second.line()
	if want := "tcpserver: the server is full (1 clients); try again later\r\n"; got != want {
		t.Errorf("second client read %q, want %q", got, want)
	}
	if _, err := second.line(); !errors.Is(err, io.EOF) {
		t.Errorf("second client: %v after the notice, want EOF", err)
	}
}

func TestNewLab(t *testing.T) {
	hub := newHub()
	srv, err := tcpserver.NewLab(lab.ServerOptions{
		Addr: "127.0.0.1:0", Tap: hub.Tap(tcpProtocol()), Settings: map[string]string{"mode": "chat"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	a := dialLines(t, srv.Addr().String())
	a.Write([]byte("from a\n"))
	if got, err := a.line(); got != "from a\n" { // a is in the chat
		t.Fatalf("a read %q, %v", got, err)
	}
	b := dialLines(t, srv.Addr().String())
	b.Write([]byte("from b\n"))
	for _, c := range []*lineConn{a, b} {
		if got, err := c.line(); got != "from b\n" {
			t.Fatalf("read %q, %v; want chat's \"from b\"", got, err)
		}
	}
	if n := srv.Sessions(); n != 2 {
		t.Errorf("Sessions = %d, want 2", n)
	}
	if n := len(hub.Conversations()); n != 2 {
		t.Errorf("hub has %d conversations, want 2 (the tap is on)", n)
	}
	if _, err := tcpserver.NewLab(lab.ServerOptions{Settings: map[string]string{"mode": "shout"}}); err == nil {
		t.Error("NewLab accepted mode \"shout\"")
	}
}

func TestNewLabPortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	srv, err := tcpserver.NewLab(lab.ServerOptions{Addr: l.Addr().String()})
	if err != nil {
		t.Fatal(err)
	}
	err = srv.Start()
	var le *lab.ListenError
	if !errors.As(err, &le) || !errors.Is(err, lab.ErrPortInUse) {
		t.Fatalf("Start on a port in use = %v, want a *lab.ListenError that is ErrPortInUse", err)
	}
	if srv.Addr() != nil {
		t.Errorf("Addr = %v after a failed Start, want nil", srv.Addr())
	}
}
