package lab

import (
	"context"
	"io"
	"net"
	"testing"
	"time"
)

// tappedPair connects a tapped client to a tapped server on 127.0.0.1, both taps in
// one conversation.
func tappedPair(t *testing.T, h *Hub, tap *Tap) (client, server net.Conn, conv *Conversation) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	tl := tap.Listener(l)
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := tl.Accept()
		if err != nil {
			close(accepted)
			return
		}
		accepted <- c
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, err = tap.Dial(ctx, "tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, ok := <-accepted
	if !ok {
		t.Fatal("accept failed")
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	for _, c := range []net.Conn{client, server} {
		c.SetDeadline(time.Now().Add(10 * time.Second))
	}
	conv = ConnConversation(client)
	if ConnConversation(server) != conv {
		t.Fatal("the two taps are in two conversations")
	}
	i := conv.Info(true)
	if i.Kernel == nil {
		t.Skip("this system does not report TCP_INFO")
	}
	if !i.KernelLive || i.Kernel.State != "ESTABLISHED" {
		t.Fatalf("open connection: kernel %q live %v, want ESTABLISHED live", i.Kernel.State, i.KernelLive)
	}
	return client, server, conv
}

// TestKernelViewEndsWithTheConversation: while one socket is open its kernel state is
// read live (the server in CLOSE-WAIT after the client's FIN); once both ends have
// closed, the conversation reports no live kernel state, only the last view taken.
func TestKernelViewEndsWithTheConversation(t *testing.T) {
	h, tap := testHub(t)
	client, server, conv := tappedPair(t, h, tap)
	client.Close()
	if n, err := server.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("server read %d, %v; want the client's FIN", n, err)
	}
	i := conv.Info(true)
	if !i.KernelLive || i.Kernel == nil || i.Kernel.State != "CLOSE-WAIT" {
		t.Errorf("client closed, server open: kernel %v live %v, want the server's CLOSE-WAIT, live", i.Kernel, i.KernelLive)
	}
	server.Close()
	waitEnded(t, h, conv.ID())
	i = conv.Info(true)
	if i.Live || i.KernelLive {
		t.Errorf("both ends closed: Live %v, KernelLive %v; want neither", i.Live, i.KernelLive)
	}
	// The last view is taken as the server closes: in CLOSE-WAIT, or once its FIN
	// is out (the close sends it first, then asks again), LAST-ACK, or CLOSED
	// when the client's ACK came back at once.
	if i.Kernel == nil || (i.Kernel.State != "CLOSE-WAIT" && i.Kernel.State != "LAST-ACK" && i.Kernel.State != "CLOSED") {
		t.Errorf("both ends closed: last kernel view %v, want the one taken as the server closed", i.Kernel)
	}
}

// TestKernelViewNotReadAfterReset: a reset ends the conversation though the server's
// socket is still open; the kernel is not asked about it any more.
func TestKernelViewNotReadAfterReset(t *testing.T) {
	h, tap := testHub(t)
	client, server, conv := tappedPair(t, h, tap)
	Abort(client)
	if _, err := server.Read(make([]byte, 1)); err == nil {
		t.Fatal("server read data, want the client's reset")
	}
	waitEnded(t, h, conv.ID())
	for range 2 {
		if i := conv.Info(true); i.Live || i.KernelLive || i.Kernel == nil || i.Kernel.State != "ESTABLISHED" {
			t.Errorf("after a reset: Live %v, KernelLive %v, kernel %v; want the view taken while open, not live",
				i.Live, i.KernelLive, i.Kernel)
		}
	}
}
