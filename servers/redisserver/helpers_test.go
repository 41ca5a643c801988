package redisserver

import (
	"bufio"
	"context"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/redis"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// testServer serves opts on 127.0.0.1:0, tapped into a new hub, until the
// test ends.
func testServer(t testing.TB, opts Options) (string, *Server, *lab.Hub) {
	t.Helper()
	hub := lab.NewHub(lab.HubOptions{})
	if opts.Tap == nil {
		opts.Tap = hub.Tap(redis.Protocol())
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return servertest.Start(t, srv, ErrServerClosed), srv, hub
}

// client is go-redis logged in as lab over RESP protocol (2 or 3) until the test ends.
func client(t testing.TB, addr string, protocol int) *goredis.Client {
	t.Helper()
	rdb := goredis.NewClient(&goredis.Options{Addr: addr, Username: "lab", Password: "lab", Protocol: protocol,
		DisableIdentity: true, MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// rawConn dials addr for bytes by hand.
func rawConn(t testing.TB, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	return c, bufio.NewReader(c)
}

// readLine reads one line of the server's, without its CR LF.
func readLine(t testing.TB, r *bufio.Reader) string {
	t.Helper()
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("read: %q, %v", line, err)
	}
	return strings.TrimRight(line, "\r\n")
}

// redisCLI runs redis-cli against addr with args, logged in as lab, the
// commands in stdin; it skips the test when redis-cli is not installed.
func redisCLI(t testing.TB, addr, stdin string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("redis-cli"); err != nil {
		t.Skip("redis-cli is not installed")
	}
	host, port, _ := net.SplitHostPort(addr)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "redis-cli", append([]string{"-h", host, "-p", port, "--user", "lab", "--pass", "lab", "--no-auth-warning"}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("redis-cli %q: %v\n%s", args, err, out)
	}
	return string(out)
}

// messages waits until the hub holds want messages of protocol redis, or fails.
func messages(t testing.TB, hub *lab.Hub, want func([]lab.Message) bool) []lab.Message {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var msgs []lab.Message
		for _, e := range hub.Events(0) {
			if e.Msg != nil && e.Layer == redis.Name {
				msgs = append(msgs, *e.Msg)
			}
		}
		if want(msgs) {
			return msgs
		}
		if time.Now().After(deadline) {
			var s []string
			for _, m := range msgs {
				s = append(s, m.Summary)
			}
			t.Fatalf("the hub holds %q", s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
