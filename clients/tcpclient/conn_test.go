package tcpclient_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/tcpclient"
	"github.com/protocollab/protolab/lab"
	tcpproto "github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/tcpserver"
)

// tcpProtocol is the protocol the tests record under, with its analyzer.
func tcpProtocol() *lab.Protocol { return tcpproto.Protocol() }

// bench is a tapped echo server and a hub, the way the lab runs them.
type bench struct {
	hub  *lab.Hub
	tap  *lab.Tap
	srv  *tcpserver.Server
	addr string
	conv chan struct{} // signalled when a conversation changes
}

func newBench(t *testing.T, mode string) *bench {
	t.Helper()
	hub := lab.NewHub(lab.HubOptions{})
	b := &bench{hub: hub, tap: hub.Tap(tcpProtocol()), conv: make(chan struct{}, 1)}
	hub.OnConversation(func(lab.ConvID) {
		select {
		case b.conv <- struct{}{}:
		default:
		}
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b.srv = tcpserver.New(tcpserver.Options{Mode: mode, Tap: b.tap})
	go b.srv.Serve(l)
	t.Cleanup(func() { b.srv.Close() })
	<-b.srv.Started()
	b.addr = l.Addr().String()
	return b
}

// ended waits until conversation id has ended and returns its snapshot.
func (b *bench) ended(t *testing.T, id lab.ConvID) lab.ConvInfo {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		info := b.hub.Conversation(id).Info(false)
		if !info.Live {
			return info
		}
		select {
		case <-b.conv:
		case <-timeout:
			t.Fatalf("conversation %d still live: %+v", id, info)
		}
	}
}

// recorder collects what a connection's callbacks report.
type recorder struct {
	mu     sync.Mutex
	data   []byte
	more   chan struct{}
	closes []error
}

func newRecorder() *recorder { return &recorder{more: make(chan struct{}, 1)} }

func (r *recorder) options(tap *lab.Tap) tcpclient.Options {
	return tcpclient.Options{
		Tap: tap,
		OnData: func(b []byte) {
			r.mu.Lock()
			r.data = append(r.data, b...)
			r.mu.Unlock()
			select {
			case r.more <- struct{}{}:
			default:
			}
		},
		OnClose: func(err error) {
			r.mu.Lock()
			r.closes = append(r.closes, err)
			r.mu.Unlock()
		},
	}
}

// waitFor waits until the received bytes are want.
func (r *recorder) waitFor(t *testing.T, want string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		got := string(r.data)
		r.mu.Unlock()
		if got == want {
			return
		}
		if len(got) > len(want) {
			t.Fatalf("received %q, want %q", got, want)
		}
		select {
		case <-r.more:
		case <-timeout:
			t.Fatalf("received %q, want %q", got, want)
		}
	}
}

func (r *recorder) closeErrs() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.closes...)
}

func TestEchoThenGracefulClose(t *testing.T) {
	b := newBench(t, tcpserver.ModeEcho)
	rec := newRecorder()
	c, err := tcpclient.Dial(context.Background(), b.addr, rec.options(b.tap))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Send([]byte("hello\r\n")); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "hello\r\n")
	if s := c.State(); s != tcpclient.StateOpen {
		t.Errorf("State = %v, want open", s)
	}
	if c.LocalAddr().String() == "" || c.RemoteAddr().String() != b.addr {
		t.Errorf("addresses %v → %v, want the server at %s", c.LocalAddr(), c.RemoteAddr(), b.addr)
	}
	id := c.Conversation()
	if id == 0 {
		t.Fatal("Conversation = 0 for a tapped connection")
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if s := c.State(); s != tcpclient.StateClosed {
		t.Errorf("State after Close = %v, want closed", s)
	}
	if errs := rec.closeErrs(); len(errs) != 1 || errs[0] != nil {
		t.Errorf("OnClose calls = %v, want one with nil", errs)
	}
	if err := c.Send([]byte("late")); !errors.Is(err, tcpclient.ErrClosed) {
		t.Errorf("Send after Close = %v, want ErrClosed", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}

	info := b.ended(t, id)
	if info.CloseHow != lab.HowFIN || info.ClosedBy != lab.SideClient {
		t.Errorf("close = %s by %v, want FIN by the client", info.CloseHow, info.ClosedBy)
	}
	if !info.ClientSeen || !info.ServerSeen {
		t.Errorf("ClientSeen, ServerSeen = %v, %v; want one conversation seen by both", info.ClientSeen, info.ServerSeen)
	}
	if n := len(b.hub.Conversations()); n != 1 {
		t.Errorf("hub has %d conversations, want the client's and the server's views joined into 1", n)
	}
	if info.BytesC2S != 7 || info.BytesS2C != 7 {
		t.Errorf("bytes %d/%d, want 7 each way (counted once though both taps saw them)", info.BytesC2S, info.BytesS2C)
	}
}

func TestAbortSendsRST(t *testing.T) {
	b := newBench(t, tcpserver.ModeEcho)
	rec := newRecorder()
	c, err := tcpclient.Dial(context.Background(), b.addr, rec.options(b.tap))
	if err != nil {
		t.Fatal(err)
	}
	c.Send([]byte("bye"))
	rec.waitFor(t, "bye")
	if err := c.Abort(); err != nil {
		t.Fatal(err)
	}
	if s := c.State(); s != tcpclient.StateClosed {
		t.Errorf("State after Abort = %v, want closed", s)
	}
	info := b.ended(t, c.Conversation())
	if info.CloseHow != lab.HowRST || info.ClosedBy != lab.SideClient {
		t.Errorf("close = %s by %v, want RST by the client", info.CloseHow, info.ClosedBy)
	}
	// The server's tap saw the reset too (a read failing with ECONNRESET), recorded once.
	var closes []string
	for _, e := range b.hub.ConvEvents(info.ID) {
		if e.Kind == lab.KindClose {
			closes = append(closes, e.Side.String()+": "+e.Text)
		}
	}
	if len(closes) != 1 || !strings.Contains(closes[0], "RST") {
		t.Errorf("close events = %q, want one RST", closes)
	}
}

func TestServerClosesFirst(t *testing.T) {
	b := newBench(t, tcpserver.ModeChat)
	rec := newRecorder()
	c, err := tcpclient.Dial(context.Background(), b.addr, rec.options(b.tap))
	if err != nil {
		t.Fatal(err)
	}
	c.Send([]byte("one line\n"))
	rec.waitFor(t, "one line\n")
	b.srv.Close()
	<-c.Done()
	if s := c.State(); s != tcpclient.StatePeerClosed {
		t.Errorf("State after the server's FIN = %v, want peer closed", s)
	}
	if err := c.Err(); err != nil {
		t.Errorf("Err = %v after a FIN, want nil", err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	info := b.ended(t, c.Conversation())
	if info.CloseHow != lab.HowFIN || info.ClosedBy != lab.SideServer {
		t.Errorf("close = %s by %v, want FIN by the server", info.CloseHow, info.ClosedBy)
	}
}

func TestServerReset(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		s, err := l.Accept()
		if err == nil {
			buf := make([]byte, 4)
			s.Read(buf)
			lab.Abort(s)
		}
	}()
	rec := newRecorder()
	c, err := tcpclient.Dial(context.Background(), l.Addr().String(), rec.options(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if id := c.Conversation(); id != 0 {
		t.Errorf("Conversation = %d for an untapped connection, want 0", id)
	}
	c.Send([]byte("ping"))
	<-c.Done()
	errs := rec.closeErrs()
	if len(errs) != 1 || !errors.Is(errs[0], syscall.ECONNRESET) || !strings.Contains(errs[0].Error(), "RST") {
		t.Errorf("OnClose = %v, want one error explaining the reset", errs)
	}
	if s := c.State(); s != tcpclient.StateClosed {
		t.Errorf("State = %v, want closed", s)
	}
}

func TestDialRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = tcpclient.Dial(context.Background(), addr, tcpclient.Options{})
	if !errors.Is(err, syscall.ECONNREFUSED) || !strings.Contains(err.Error(), "nothing is listening on "+addr) {
		t.Errorf("Dial to a closed port = %v, want a refusal that says nothing listens", err)
	}
}

func TestHalfClose(t *testing.T) {
	b := newBench(t, tcpserver.ModeEcho)
	rec := newRecorder()
	c, err := tcpclient.Dial(context.Background(), b.addr, rec.options(b.tap))
	if err != nil {
		t.Fatal(err)
	}
	payload := bytes.Repeat([]byte("abc"), 1000)
	c.Send(payload)
	if err := c.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	// The echo of everything sent before the FIN still arrives, then the server's FIN.
	<-c.Done()
	rec.waitFor(t, string(payload))
	if s := c.State(); s != tcpclient.StateClosed {
		t.Errorf("State after both FINs = %v, want closed", s)
	}
	c.Close()
}
