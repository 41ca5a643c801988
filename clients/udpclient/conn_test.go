package udpclient_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/udpclient"
	"github.com/protocollab/protolab/lab"
	udpproto "github.com/protocollab/protolab/protocols/udp"
	"github.com/protocollab/protolab/servers/udpserver"
)

// udpProtocol is the protocol the tests record under, with its analyzer.
func udpProtocol() *lab.Protocol { return udpproto.Protocol() }

func TestEchoJoinedConversation(t *testing.T) {
	hub := lab.NewHub(lab.HubOptions{})
	tap := hub.Tap(udpProtocol())
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := udpserver.New(udpserver.Options{Tap: tap})
	go srv.Serve(pc)
	defer srv.Close()
	<-srv.Started()

	got := make(chan []byte, 10)
	c, err := udpclient.Dial(context.Background(), srv.Addr().String(), udpclient.Options{
		Tap:     tap,
		OnData:  func(b []byte) { got <- b },
		OnError: func(err error) { t.Errorf("OnError(%v)", err) },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if a, ok := c.LocalAddr().(*net.UDPAddr); !ok || a.Port == 0 || !a.IP.IsLoopback() {
		t.Errorf("LocalAddr = %v, want a concrete loopback address", c.LocalAddr())
	}
	for _, msg := range []string{"one", "two", "three"} {
		if err := c.Send([]byte(msg)); err != nil {
			t.Fatal(err)
		}
		select {
		case b := <-got:
			if string(b) != msg {
				t.Fatalf("echo = %q, want %q", b, msg)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no echo of %q", msg)
		}
	}
	id := c.Conversation()
	if id == 0 {
		t.Fatal("Conversation = 0 for a tapped socket")
	}
	convs := hub.Conversations()
	if len(convs) != 1 {
		t.Fatalf("hub has %d conversations, want the client's and server's views joined into 1", len(convs))
	}
	info := convs[0]
	if info.ID != id || !info.ClientSeen || !info.ServerSeen || !info.Datagram {
		t.Errorf("flow = %+v, want conversation %d seen by both ends", info, id)
	}
	if info.BytesC2S != 11 || info.BytesS2C != 11 {
		t.Errorf("bytes %d/%d, want 11 each way", info.BytesC2S, info.BytesS2C)
	}
	if info.Client != c.LocalAddr().String() || info.Server != srv.Addr().String() {
		t.Errorf("flow %s → %s, want %v → %v", info.Client, info.Server, c.LocalAddr(), srv.Addr())
	}
}

func TestNothingListens(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()

	errs := make(chan error, 100)
	c, err := udpclient.Dial(context.Background(), addr, udpclient.Options{OnError: func(err error) { errs <- err }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The ICMP answer arrives asynchronously, and the system may limit how often it
	// sends one: send until the refusal shows, on receive or on a later send.
	var refusal error
	for i := 0; refusal == nil && i < 100; i++ {
		if err := c.Send([]byte("anyone?")); err != nil {
			refusal = err
			break
		}
		select {
		case refusal = <-errs:
		case <-time.After(50 * time.Millisecond):
		}
	}
	var ue *udpclient.UnreachableError
	if !errors.As(refusal, &ue) || !errors.Is(refusal, udpclient.ErrNoListener) || !errors.Is(refusal, syscall.ECONNREFUSED) {
		t.Fatalf("error = %v, want an *UnreachableError", refusal)
	}
	if !strings.Contains(refusal.Error(), "nothing is listening on "+addr) {
		t.Errorf("error text %q does not say nothing listens on %s", refusal, addr)
	}
}

func TestClose(t *testing.T) {
	c, err := udpclient.Dial(context.Background(), "127.0.0.1:9", udpclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if id := c.Conversation(); id != 0 {
		t.Errorf("Conversation = %d untapped, want 0", id)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	<-c.Done()
	if err := c.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if err := c.Send([]byte("x")); !errors.Is(err, udpclient.ErrClosed) {
		t.Errorf("Send after Close = %v, want ErrClosed", err)
	}
}
