package udpserver_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	udpproto "github.com/protocollab/protolab/protocols/udp"
	"github.com/protocollab/protolab/servers/udpserver"
)

// udpProtocol is the protocol the tapped tests record under, with its analyzer.
func udpProtocol() *lab.Protocol { return udpproto.Protocol() }

func startServer(t testing.TB, opts udpserver.Options) (*udpserver.Server, string) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := udpserver.New(opts)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(pc) }()
	select {
	case <-srv.Started():
	case err := <-served:
		t.Fatalf("Serve = %v before starting", err)
	}
	t.Cleanup(func() {
		srv.Close()
		if err := <-served; !errors.Is(err, udpserver.ErrServerClosed) {
			t.Errorf("Serve = %v, want ErrServerClosed", err)
		}
	})
	return srv, pc.LocalAddr().String()
}

// roundTrip sends msg on c and reads the echo.
func roundTrip(t *testing.T, c net.Conn, msg []byte) {
	t.Helper()
	if _, err := c.Write(msg); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 70000)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf[:n], msg) {
		t.Fatalf("echo = %d bytes %q, want %d bytes", n, buf[:min(n, 32)], len(msg))
	}
}

func TestEchoRawClient(t *testing.T) {
	hub := lab.NewHub(lab.HubOptions{})
	srv, addr := startServer(t, udpserver.Options{Tap: hub.Tap(udpProtocol())})
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	msgs := [][]byte{[]byte("hello"), {}, bytes.Repeat([]byte{0xab}, 60000)}
	for _, m := range msgs {
		roundTrip(t, c, m)
	}
	if n := srv.Sessions(); n != 1 {
		t.Errorf("Sessions = %d, want 1", n)
	}
	c2, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	roundTrip(t, c2, []byte("second peer"))
	if n := srv.Sessions(); n != 2 {
		t.Errorf("Sessions = %d with two peers, want 2", n)
	}
	hub.Settle() // the datagrams' events are published with the flows' analysis

	convs := hub.Conversations()
	if len(convs) != 2 {
		t.Fatalf("hub has %d conversations, want one flow per peer", len(convs))
	}
	info := convs[0]
	if info.Client != c.LocalAddr().String() || info.Server != addr || !info.ServerSeen || info.ClientSeen || !info.Datagram {
		t.Errorf("flow = %+v, want %v → %v seen by the server only", info, c.LocalAddr(), addr)
	}
	var sent int64
	for _, m := range msgs {
		sent += int64(len(m))
	}
	if info.BytesC2S != sent || info.BytesS2C != sent {
		t.Errorf("flow counted %d/%d bytes, want %d each way", info.BytesC2S, info.BytesS2C, sent)
	}
	// One data event per datagram each way, the empty one included.
	var c2s, s2c int
	for _, e := range hub.ConvEvents(info.ID) {
		if e.Kind == lab.KindData {
			if e.Dir == lab.ClientToServer {
				c2s++
			} else {
				s2c++
			}
		}
	}
	if c2s != len(msgs) || s2c != len(msgs) {
		t.Errorf("data events c2s/s2c = %d/%d, want one per datagram (%d)", c2s, s2c, len(msgs))
	}
}

func TestPeerWindow(t *testing.T) {
	srv, addr := startServer(t, udpserver.Options{PeerWindow: time.Nanosecond})
	c, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	roundTrip(t, c, []byte("x"))
	if n := srv.Sessions(); n != 0 {
		t.Errorf("Sessions = %d after the window passed, want 0", n)
	}
}

func TestShutdown(t *testing.T) {
	srv, addr := startServer(t, udpserver.Options{})
	if got := srv.Addr().String(); got != addr {
		t.Errorf("Addr = %s, want %s", got, addr)
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := srv.ListenAndServe("127.0.0.1:0"); !errors.Is(err, udpserver.ErrServerClosed) {
		t.Errorf("ListenAndServe after Shutdown = %v, want ErrServerClosed", err)
	}
}

func TestNewLab(t *testing.T) {
	hub := lab.NewHub(lab.HubOptions{})
	srv, err := udpserver.NewLab(lab.ServerOptions{Addr: "127.0.0.1:0", Tap: hub.Tap(udpProtocol())})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("udp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	roundTrip(t, c, []byte("through the bench"))
	if n := srv.Sessions(); n != 1 {
		t.Errorf("Sessions = %d, want 1", n)
	}
	if n := len(hub.Conversations()); n != 1 {
		t.Errorf("hub has %d conversations, want 1", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestNewLabPortInUse(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	srv, err := udpserver.NewLab(lab.ServerOptions{Addr: pc.LocalAddr().String()})
	if err != nil {
		t.Fatal(err)
	}
	err = srv.Start()
	var le *lab.ListenError
	if !errors.As(err, &le) || !errors.Is(err, lab.ErrPortInUse) {
		t.Fatalf("Start on a port in use = %v, want a *lab.ListenError that is ErrPortInUse", err)
	}
}
