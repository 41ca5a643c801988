//go:build linux

package lab

import (
	"errors"
	"io"
	"net"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// closeTest connects a tapped pair, runs script on it and returns what the
// analyzers were told of the teardown ("→FIN": the client's FIN) and the close
// events' texts.
func closeTest(t *testing.T, script func(c, s net.Conn)) (steps, texts []string) {
	t.Helper()
	h, tap := testHub(t)
	c, s, conv := tappedPair(t, h, tap)
	script(c, s)
	c.Close()
	s.Close()
	h.Settle()
	for _, e := range h.ConvEvents(conv.ID()) {
		switch {
		case e.Kind == KindClose:
			texts = append(texts, e.Text)
		case e.Msg != nil && e.Msg.Teardown:
			steps = append(steps, e.Msg.Dir.Arrow()+e.Msg.Summary)
		}
	}
	return steps, texts
}

func raw(c net.Conn) *net.TCPConn { return c.(*tapConn).Conn.(*net.TCPConn) }

// waitFor polls the kernel about c until ok says it is reached; the test's
// deadline bounds it.
func waitFor(t *testing.T, c net.Conn, what string, ok func(net.Conn) bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(time.Millisecond) {
		if ok(c) {
			return
		}
	}
	t.Fatalf("the kernel never reported %s", what)
}

// unread: bytes wait in c's receive queue. Asked only where no error is pending:
// viewSocket reads SO_ERROR, which clears it.
func unread(c net.Conn) bool {
	v, _ := viewSocket(c)
	return v.Unread > 0
}

// kernelGone: the kernel has ended c's connection (TCP_INFO only, so a pending
// error is left for Close to find).
func kernelGone(c net.Conn) bool {
	k := ReadTCPInfo(c)
	return k != nil && k.State == "CLOSED"
}

func mustWrite(t *testing.T, c net.Conn, s string) {
	t.Helper()
	if _, err := io.WriteString(c, s); err != nil {
		t.Fatal(err)
	}
}

func checkSteps(t *testing.T, got, want, texts []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("teardown = %q, want %q (close events %q)", got, want, texts)
	}
}

func TestCloseGracefulIsFINFIN(t *testing.T) {
	steps, texts := closeTest(t, func(c, s net.Conn) {
		mustWrite(t, c, "hi\n")
		io.ReadFull(s, make([]byte, 3))
		c.Close()
		io.Copy(io.Discard, s)
	})
	checkSteps(t, steps, []string{"→FIN", "←FIN"}, texts)
}

// A client that closes with SO_LINGER 0 resets the connection; it sends no FIN.
func TestCloseLingerZeroIsReset(t *testing.T) {
	steps, texts := closeTest(t, func(c, s net.Conn) {
		if err := raw(c).SetLinger(0); err != nil {
			t.Fatal(err)
		}
		c.Close()
		if _, err := io.Copy(io.Discard, s); !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("server read ended with %v, want a reset", err)
		}
	})
	checkSteps(t, steps, []string{"→RST"}, texts)
	if len(texts) == 0 || !strings.Contains(texts[0], "SO_LINGER") {
		t.Errorf("close events %q, want the reset explained by SO_LINGER", texts)
	}
}

// A server that closes while the client's bytes wait unread resets the connection.
func TestCloseWithUnreadIsReset(t *testing.T) {
	steps, texts := closeTest(t, func(c, s net.Conn) {
		mustWrite(t, c, "unread\n")
		waitFor(t, raw(s), "bytes unread", unread)
		s.Close()
		if _, err := io.Copy(io.Discard, c); !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("client read ended with %v, want a reset", err)
		}
	})
	checkSteps(t, steps, []string{"←RST"}, texts)
	if len(texts) == 0 || !strings.Contains(texts[0], "7 bytes it had not read") {
		t.Errorf("close events %q, want the reset explained by 7 unread bytes", texts)
	}
}

// A half-close is a FIN; data flows the other way; then both close gracefully.
func TestHalfCloseThenData(t *testing.T) {
	steps, texts := closeTest(t, func(c, s net.Conn) {
		if err := c.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, s)
		mustWrite(t, s, "bye\n")
		io.ReadFull(c, make([]byte, 4))
		s.Close()
		io.Copy(io.Discard, c)
	})
	checkSteps(t, steps, []string{"→FIN", "←FIN"}, texts)
}

// A half-closed client that closes with the server's bytes unread resets, after its FIN.
func TestHalfCloseThenUnreadIsReset(t *testing.T) {
	steps, texts := closeTest(t, func(c, s net.Conn) {
		c.(interface{ CloseWrite() error }).CloseWrite()
		io.Copy(io.Discard, s)
		mustWrite(t, s, "bye\n")
		waitFor(t, raw(c), "bytes unread", unread)
	})
	checkSteps(t, steps, []string{"→FIN", "→RST"}, texts)
}

// The server closes; the client's late write reaches a closed socket, whose kernel
// answers with a reset; the client, closing, sends nothing: no FIN from the client.
func TestCloseAfterPeerResetSendsNothing(t *testing.T) {
	steps, texts := closeTest(t, func(c, s net.Conn) {
		s.Close()
		io.Copy(io.Discard, c)
		mustWrite(t, c, "late\n")
		waitFor(t, raw(c), "the connection reset", kernelGone)
	})
	checkSteps(t, steps, []string{"←FIN", "←RST"}, texts)
	if len(texts) < 2 || !strings.Contains(texts[1], "client's kernel had received a reset") {
		t.Errorf("close events %q, want the reset seen by the client's kernel", texts)
	}
}

// The same, mirrored: the client closes first and the server's late write is reset.
func TestCloseAfterClientResetSendsNothing(t *testing.T) {
	steps, texts := closeTest(t, func(c, s net.Conn) {
		c.Close()
		io.Copy(io.Discard, s)
		mustWrite(t, s, "late\n")
		waitFor(t, raw(s), "the connection reset", kernelGone)
	})
	checkSteps(t, steps, []string{"→FIN", "→RST"}, texts)
}

// TestCloseAfterUnreadFIN closes the server's socket after the client's FIN
// arrived and before the server read to it, with only the server's tap in the
// lab: the client's FIN is recorded first, then the server's.
func TestCloseAfterUnreadFIN(t *testing.T) {
	h, tap := testHub(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	tl := tap.Listener(l)
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := tl.Accept()
	if err != nil {
		t.Fatal(err)
	}
	conv := ConnConversation(s)
	c.(*net.TCPConn).CloseWrite()
	waitFor(t, raw(s), "the client's FIN", func(c net.Conn) bool {
		v, _ := viewSocket(c)
		return v.State == "CLOSE-WAIT"
	})
	s.Close()
	h.Settle()
	var texts []string
	for _, e := range h.ConvEvents(conv.ID()) {
		if e.Kind == KindClose {
			texts = append(texts, e.Text)
		}
	}
	if len(texts) != 2 || !strings.HasPrefix(texts[0], "the client sent FIN") || !strings.HasPrefix(texts[1], "the server sent FIN") {
		t.Errorf("close events %q, want the client's FIN, then the server's", texts)
	}
}
