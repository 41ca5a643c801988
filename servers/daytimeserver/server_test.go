package daytimeserver_test

import (
	"context"
	"io"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/servers/daytimeserver"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

var noon = time.Date(2026, time.December, 5, 12, 0, 0, 0, time.UTC)

func start(t *testing.T, opts daytimeserver.Options) string {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return noon }
	}
	srv, err := daytimeserver.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return servertest.Start(t, srv, daytimeserver.ErrServerClosed)
}

var formatTests = []struct {
	format, want string
}{
	{"", "Saturday, December 5, 2026 12:00:00-UTC\r\n"},
	{daytimeserver.FormatRFC867, "Saturday, December 5, 2026 12:00:00-UTC\r\n"},
	{daytimeserver.FormatRFC3339, "2026-12-05T12:00:00Z\r\n"},
}

// TestAnswer: a client that sends nothing gets the time and the server's FIN.
func TestAnswer(t *testing.T) {
	for _, tt := range formatTests {
		addr := start(t, daytimeserver.Options{Format: tt.format})
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		got, err := io.ReadAll(c) // ends at the server's FIN
		c.Close()
		if err != nil || string(got) != tt.want {
			t.Errorf("format %q: answer = %q, %v; want %q", tt.format, got, err, tt.want)
		}
	}
}

// TestThrowsAway: what the client sends is read and dropped, so the server's
// close is a FIN, not a reset, and the client can still close cleanly.
func TestThrowsAway(t *testing.T) {
	addr := start(t, daytimeserver.Options{})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, strings.Repeat("what time is it?\r\n", 100)); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(c)
	if err != nil || !strings.HasSuffix(string(got), "-UTC\r\n") {
		t.Errorf("answer = %q, %v; want the time and a clean end", got, err)
	}
}

func TestUnknownFormat(t *testing.T) {
	if _, err := daytimeserver.New(daytimeserver.Options{Format: "julian"}); err == nil || !strings.Contains(err.Error(), "julian") {
		t.Errorf("New with format julian = %v, want an error naming it", err)
	}
}

// TestShutdown: Shutdown waits for a client that has not closed yet, and
// returns once it does.
func TestShutdown(t *testing.T) {
	srv, err := daytimeserver.New(daytimeserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	addr := servertest.Start(t, srv, daytimeserver.ErrServerClosed)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 100)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Read(buf); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(ctx); err == nil {
		t.Error("Shutdown returned while a client was connected")
	}
	c.Close()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	if err := srv.Shutdown(ctx2); err != nil {
		t.Errorf("Shutdown after the client closed = %v", err)
	}
}

// TestOutsideClients: netcat and Python read the answer as they read any
// daytime server's.
func TestOutsideClients(t *testing.T) {
	addr := start(t, daytimeserver.Options{Format: daytimeserver.FormatRFC3339})
	host, port, _ := net.SplitHostPort(addr)
	clients := [][]string{
		{"nc", "-N", host, port},
		{"python3", "-c", "import socket,sys; s=socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10); " +
			"b=b''\nwhile True:\n c=s.recv(100)\n if not c: break\n b+=c\nsys.stdout.write(b.decode())", host, port},
	}
	for _, args := range clients {
		if _, err := exec.LookPath(args[0]); err != nil {
			t.Logf("%s is not installed", args[0])
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		cmd := exec.CommandContext(ctx, args[0], args[1:]...)
		cmd.Stdin = strings.NewReader("")
		out, err := cmd.Output()
		cancel()
		if err != nil || string(out) != "2026-12-05T12:00:00Z\r\n" {
			t.Errorf("%s: %q, %v; want the time", args[0], out, err)
		}
	}
}
