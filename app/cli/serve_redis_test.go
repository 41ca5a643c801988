package cli

import (
	"bufio"
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServeOnlyRedis: `serve --only redis` prints its listening line, and
// the server answers RESP: NOAUTH before AUTH, then the command.
func TestServeOnlyRedis(t *testing.T) {
	tempLabDirs(t)
	port := freePorts(t, 1)[0]
	r := startServe(t, "--only", "redis", "--json", "--port", fmt.Sprintf("redis=%d", port))
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	if l, want := r.next(t), `{"event":"listening","protocol":"redis","addr":"`+addr+`"}`; l != want {
		t.Errorf("listening line = %s, want %s", l, want)
	}
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	for _, tt := range []struct{ send, want string }{
		{"PING", "-NOAUTH"}, {"AUTH lab lab", "+OK"}, {"PING", "+PONG"},
	} {
		fmt.Fprintf(c, "%s\r\n", tt.send)
		if line, err := br.ReadString('\n'); err != nil || !strings.HasPrefix(line, tt.want) {
			t.Errorf("%s = %q, %v; want %s", tt.send, line, err, tt.want)
		}
	}
}

func TestServeOnlyRedisText(t *testing.T) {
	tempLabDirs(t)
	r := startServe(t, "--only", "redis", "--port", "redis=0")
	if l := r.next(t); !regexp.MustCompile(`^redis listening on 127\.0\.0\.1:\d+ \(Redis\)$`).MatchString(l) {
		t.Errorf("listening line = %q", l)
	}
}
