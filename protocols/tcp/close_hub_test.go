//go:build linux

package tcp_test

import (
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/protocollab/protolab/lab"
)

func rawTCP(t *testing.T, c net.Conn) *net.TCPConn {
	t.Helper()
	tc, ok := c.(interface{ Unwrap() net.Conn }).Unwrap().(*net.TCPConn)
	if !ok {
		t.Fatal("not a TCP connection")
	}
	return tc
}

// waitKernel polls the kernel about c until ok; the test's deadline bounds it.
func waitKernel(t *testing.T, c *net.TCPConn, what string, ok func(*net.TCPConn) bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(time.Millisecond) {
		if ok(c) {
			return
		}
	}
	t.Fatalf("the kernel never reported %s", what)
}

// hasUnread: received bytes wait in c's queue.
func hasUnread(c *net.TCPConn) bool {
	rc, err := c.SyscallConn()
	if err != nil {
		return false
	}
	n := 0
	rc.Control(func(fd uintptr) { n, _ = unix.IoctlGetInt(int(fd), unix.SIOCINQ) })
	return n > 0
}

// gone: the kernel has ended c's connection.
func gone(c *net.TCPConn) bool {
	k := lab.ReadTCPInfo(c)
	return k != nil && k.State == "CLOSED"
}

func summaryHas(t *testing.T, ms []lab.Message, i int, want string) {
	t.Helper()
	if i >= len(ms) || !strings.Contains(ms[i].Summary, want) {
		t.Errorf("teardown %q, want message %d to say %q", summaries(ms), i, want)
	}
}

// TestHubLingerZero: a client that closes with SO_LINGER 0 resets; no FIN is drawn.
func TestHubLingerZero(t *testing.T) {
	tl := newTestLab(t)
	c := tl.dial(t)
	s := tl.accept(t)
	if err := rawTCP(t, c).SetLinger(0); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, err := io.Copy(io.Discard, s); !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("server read ended with %v, want a reset", err)
	}
	s.Close()

	got := recorded(t, tl.hub, c)
	check(t, "teardown", summaries(got.teardown), []string{"→ RST"})
	summaryHas(t, got.teardown, 0, "RST · the client resets")
}

// TestHubCloseUnread: a server that closes with the client's bytes unread resets.
func TestHubCloseUnread(t *testing.T) {
	tl := newTestLab(t)
	c := tl.dial(t)
	s := tl.accept(t)
	write(t, c, "QUIT\r\n")
	waitKernel(t, rawTCP(t, s), "bytes unread", hasUnread)
	s.Close()
	if _, err := io.Copy(io.Discard, c); !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("client read ended with %v, want a reset", err)
	}
	c.Close()

	got := recorded(t, tl.hub, c)
	check(t, "teardown", summaries(got.teardown), []string{"← RST"})
	summaryHas(t, got.teardown, 0, "RST · the server resets")
}

// TestHubResetAfterFIN is a relay's ending: the server closes (FIN), the client
// writes once more, the server's kernel answers with a reset, and the client's
// close sends nothing. No FIN from the client is drawn.
func TestHubResetAfterFIN(t *testing.T) {
	tl := newTestLab(t)
	c := tl.dial(t)
	s := tl.accept(t)
	s.Close()
	readEOF(t, c)
	write(t, c, "late\r\n")
	waitKernel(t, rawTCP(t, c), "the reset", gone)
	c.Close()

	got := recorded(t, tl.hub, c)
	check(t, "teardown", summaries(got.teardown), []string{"← FIN", "→ ACK of the server's FIN", "← RST"})
	summaryHas(t, got.teardown, 2, "RST · the server resets")
	if len(got.teardown) == 3 && !got.teardown[2].Observed {
		t.Errorf("the server's RST is drawn as inferred, want seen (the client's socket reported it)")
	}
}

// TestHubHalfClose: the client half-closes (FIN), the server answers and closes.
func TestHubHalfClose(t *testing.T) {
	tl := newTestLab(t)
	c := tl.dial(t)
	s := tl.accept(t)
	write(t, c, "last\n")
	if err := c.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	readEOF(t, s)
	write(t, s, "answer\n")
	read(t, c, 7)
	s.Close()
	readEOF(t, c)
	c.Close()

	got := recorded(t, tl.hub, c)
	check(t, "data", summaries(got.data), []string{`→ 5 bytes "last\n"`, `← 7 bytes "answer\n"`})
	check(t, "teardown", summaries(got.teardown), []string{
		"→ FIN", "← ACK of the client's FIN", "← FIN", "→ ACK of the server's FIN"})
}
