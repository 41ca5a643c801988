package lab

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// acceptTapped accepts one connection on a tapped listener on 127.0.0.1:0 and
// dials it from outside the lab.
func acceptTapped(t *testing.T, tap *Tap) (server, client net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	client, err = net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server, err = tap.Listener(l).Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return server, client
}

// waitArrived waits until n bytes wait unread in a tapped connection's socket.
func waitArrived(t *testing.T, c net.Conn, n int) {
	t.Helper()
	tc := c.(*tapConn).Conn.(*net.TCPConn)
	for {
		v, ok := viewTCPSocket(tc)
		if !ok {
			t.Fatal("the kernel does not say what waits unread")
		}
		if v.Unread >= n {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// A server that writes while the client's bytes wait unread: they were on the
// wire first, and are recorded (and analyzed) first.
func TestTapRecordsArrivedBeforeWrite(t *testing.T) {
	h, tap := testHub(t)
	s, c := acceptTapped(t, tap)
	if _, err := c.Write([]byte("hello\n")); err != nil {
		t.Fatal(err)
	}
	waitArrived(t, s, 6)
	if _, err := s.Write([]byte("banner\n")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 6)
	if _, err := io.ReadFull(s, buf); err != nil || string(buf) != "hello\n" {
		t.Fatalf("read %q, %v", buf, err)
	}
	s.Close()
	id := ConnConversation(s).ID()
	waitEnded(t, h, id)
	var data, msgs []string
	for _, e := range h.ConvEvents(id) {
		switch {
		case e.Kind == KindData:
			data = append(data, e.Dir.String()+" "+string(e.Data))
		case e.Msg != nil && e.Msg.Raw != nil:
			msgs = append(msgs, e.Msg.Summary)
		}
	}
	if want := []string{ClientToServer.String() + " hello\n", ServerToClient.String() + " banner\n"}; strings.Join(data, "|") != strings.Join(want, "|") {
		t.Errorf("data recorded %q, want %q (each byte once, in wire order)", data, want)
	}
	if want := "hello|banner"; strings.Join(msgs, "|") != want {
		t.Errorf("messages %q, want %s", msgs, want)
	}
}

// With one goroutine reading and another writing, peeks before writes and the
// reads record every inbound byte once, in order.
func TestTapInboundOnceWithConcurrentReaderAndWriter(t *testing.T) {
	h, tap := testHub(t)
	s, c := acceptTapped(t, tap)
	sent := pattern(1 << 20)
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { // the outside client: streams, then half-closes
		defer wg.Done()
		for b := sent; len(b) > 0; {
			n := min(len(b), 1000)
			if _, err := c.Write(b[:n]); err != nil {
				t.Error(err)
				return
			}
			b = b[n:]
		}
		c.(*net.TCPConn).CloseWrite()
	}()
	go func() { io.Copy(io.Discard, c) }()
	done := make(chan struct{})
	var got []byte
	go func() { // the server's reader, in small reads
		defer wg.Done()
		defer close(done)
		buf := make([]byte, 777)
		for {
			n, err := s.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				return
			}
		}
	}()
	go func() { // the server's writer: each write peeks at what arrived
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			if _, err := s.Write([]byte("x")); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	wg.Wait()
	s.Close()
	if !bytes.Equal(got, sent) {
		t.Fatalf("the server read %d bytes, want the %d sent", len(got), len(sent))
	}
	if c2s := recorded(t, h, ConnConversation(s).ID(), ClientToServer); !bytes.Equal(c2s, sent) {
		t.Errorf("the tap recorded %d bytes from the client, want exactly the %d sent, in order", len(c2s), len(sent))
	}
}

// Peeks that look further than a connection keeps a buffer for, and further
// than maxPeek past bytes a peek recorded and the reader has yet to read,
// record every inbound byte once, in order (small bounds, so that a short
// stream needs such looks all the time).
func TestTapPeeksFarAhead(t *testing.T) {
	defer func(p, k int) { maxPeek, keptScratch = p, k }(maxPeek, keptScratch)
	maxPeek, keptScratch = 4096, 512
	h, tap := testHub(t)
	s, c := acceptTapped(t, tap)
	sent := pattern(1 << 20)
	go func() {
		c.Write(sent)
		c.(*net.TCPConn).CloseWrite()
	}()
	go func() { io.Copy(io.Discard, c) }()
	var got []byte
	buf := make([]byte, 3000)
	for i := 0; ; i++ {
		if i%4 == 0 {
			// A pause lets the queue fill past what the last look recorded.
			time.Sleep(50 * time.Microsecond)
		}
		if _, err := s.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
		n, err := s.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
	}
	s.Close()
	if !bytes.Equal(got, sent) {
		t.Fatalf("the server read %d bytes, want the %d sent", len(got), len(sent))
	}
	if c2s := recorded(t, h, ConnConversation(s).ID(), ClientToServer); !bytes.Equal(c2s, sent) {
		t.Errorf("the tap recorded %d bytes from the client, want exactly the %d sent, in order", len(c2s), len(sent))
	}
}

// Bytes left unread at close arrived: they are recorded, before the close.
func TestTapRecordsUnreadAtClose(t *testing.T) {
	h, tap := testHub(t)
	s, c := acceptTapped(t, tap)
	if _, err := c.Write([]byte("unread\n")); err != nil {
		t.Fatal(err)
	}
	waitArrived(t, s, 7)
	s.Close()
	id := ConnConversation(s).ID()
	waitEnded(t, h, id)
	var order []string
	for _, e := range h.ConvEvents(id) {
		switch e.Kind {
		case KindData:
			order = append(order, "data "+string(e.Data))
		case KindClose:
			order = append(order, "close "+e.Text)
		}
	}
	if len(order) < 2 || order[0] != "data unread\n" || !strings.HasPrefix(order[1], "close the server sent RST") {
		t.Errorf("recorded %q, want the unread bytes, then the server's RST", order)
	}
}

// A tapped read that a deadline ends fails as a connection's read does: a
// timeout, named "read", from the server's address to the client's.
func TestTapReadDeadline(t *testing.T) {
	_, tap := testHub(t)
	server, _ := acceptTapped(t, tap)
	server.SetReadDeadline(time.Now().Add(-time.Second))
	_, err := server.Read(make([]byte, 10))
	wantTimeout(t, server, "read", err)
	server.SetReadDeadline(time.Time{})
}

// wantTimeout fails t unless err is c's op past its deadline: a timeout,
// named op, from c's address to its peer's.
func wantTimeout(t *testing.T, c net.Conn, op string, err error) {
	t.Helper()
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != op || !oe.Timeout() || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("%s past its deadline: %v, want a %s's timeout", op, err, op)
	}
	if oe.Source.String() != c.LocalAddr().String() || oe.Addr.String() != c.RemoteAddr().String() {
		t.Errorf("the error says %v → %v, want %v → %v", oe.Source, oe.Addr, c.LocalAddr(), c.RemoteAddr())
	}
}

// A tapped write fails as a connection's write does: past its deadline a
// timeout named "write", from the server's address to the client's; after
// the socket's own close, net.ErrClosed; after the peer's reset, the
// system's ECONNRESET or EPIPE, and the reset recorded.
func TestTapWriteFails(t *testing.T) {
	h, tap := testHub(t)
	server, client := acceptTapped(t, tap)
	server.SetWriteDeadline(time.Now().Add(-time.Second))
	_, err := server.Write([]byte("late"))
	wantTimeout(t, server, "write", err)
	server.SetWriteDeadline(time.Time{})

	client.(*net.TCPConn).SetLinger(0)
	client.Close() // a reset
	for i := 0; ; i++ {
		_, err = server.Write([]byte("after the reset\n"))
		if err != nil {
			break
		}
		if i == 1000 {
			t.Fatal("writes after the peer's reset never failed")
		}
		time.Sleep(time.Millisecond)
	}
	var oe *net.OpError
	if !errors.As(err, &oe) || oe.Op != "write" || !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("write after the peer's reset: %v, want a write's ECONNRESET or EPIPE", err)
	}
	id := ConnConversation(server).ID()
	server.Close()
	if _, err := server.Write([]byte("closed")); !errors.Is(err, net.ErrClosed) {
		t.Errorf("write after close: %v, want net.ErrClosed", err)
	}
	waitEnded(t, h, id)
	reset := false
	for _, e := range h.ConvEvents(id) {
		reset = reset || e.Kind == KindClose && strings.Contains(e.Text, "RST")
	}
	if !reset {
		t.Error("the peer's reset was not recorded")
	}
}

// A tapped write larger than the socket's send queue waits for room, as a
// connection's does, and sends (and records) every byte once, in order.
func TestTapWriteWaitsForRoom(t *testing.T) {
	h, tap := testHub(t)
	server, client := acceptTapped(t, tap)
	sent := pattern(8 << 20)
	got := make(chan []byte)
	go func() {
		time.Sleep(50 * time.Millisecond) // the send queue fills first
		b, _ := io.ReadAll(client)
		got <- b
	}()
	if n, err := server.Write(sent); n != len(sent) || err != nil {
		t.Fatalf("Write: %d, %v; want %d, nil", n, err, len(sent))
	}
	id := ConnConversation(server).ID()
	server.Close()
	if b := <-got; !bytes.Equal(b, sent) {
		t.Fatalf("the client read %d bytes, want the %d written", len(b), len(sent))
	}
	if s2c := recorded(t, h, id, ServerToClient); !bytes.Equal(s2c, sent) {
		t.Errorf("the tap recorded %d bytes to the client, want the %d written", len(s2c), len(sent))
	}
}

// pattern is n bytes that do not repeat within a short run, so bytes lost,
// doubled or out of order show.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}

// recorded waits for conversation id to end and returns the bytes its data
// events hold in direction dir, in order.
func recorded(t *testing.T, h *Hub, id ConvID, dir Dir) []byte {
	t.Helper()
	waitEnded(t, h, id)
	var b []byte
	for _, e := range h.ConvEvents(id) {
		if e.Kind == KindData && e.Dir == dir {
			b = append(b, e.Data...)
		}
	}
	return b
}

// Several goroutines may write to a tapped connection at once, as to any
// net.Conn: each write's bytes go out whole, none lost (run with -race).
func TestTapConcurrentWrites(t *testing.T) {
	_, tap := testHub(t)
	server, client := acceptTapped(t, tap)
	const writers, writes, size = 4, 50, 3000
	got := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(client)
		got <- b
	}()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			chunk := bytes.Repeat([]byte{byte('a' + w)}, size)
			for range writes {
				if _, err := server.Write(chunk); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	server.Close()
	b := <-got
	if len(b) != writers*writes*size {
		t.Fatalf("the client read %d bytes, want %d", len(b), writers*writes*size)
	}
	for i := 0; i < len(b); i += size {
		if run := b[i : i+size]; bytes.Count(run, run[:1]) != size {
			t.Fatalf("bytes %d to %d mix writes: %q…", i, i+size, run[:40])
		}
	}
}
