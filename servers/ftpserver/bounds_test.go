package ftpserver_test

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/protocollab/protolab/servers/ftpserver"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// greeted reads the server's greeting.
func greeted(_ net.Conn, r *bufio.Reader) error {
	line, err := r.ReadString('\n')
	if err == nil && !strings.HasPrefix(line, "220 ") {
		err = fmt.Errorf("greeting %q", line)
	}
	return err
}

// served is another client's short exchange: greeting, NOOP, QUIT.
func served(addr string) func() error {
	return func() error {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return err
		}
		defer c.Close()
		r := bufio.NewReader(c)
		if err := greeted(c, r); err != nil {
			return err
		}
		fmt.Fprintf(c, "NOOP\r\n")
		if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "200 ") {
			return fmt.Errorf("NOOP = %q, %v", line, err)
		}
		return nil
	}
}

// TestLongLineRefused: 16 MiB without a line end is refused at the line's bound
// (500, and the connection closed) without the server or the capture reading
// it all, while another client is served.
func TestLongLineRefused(t *testing.T) {
	hub := newHub()
	_, addr, logs := startServer(t, ftpserver.Options{Tap: hub.Tap(hub.Registry().Lookup("ftp"))})
	res := servertest.Flood{Addr: addr, Start: greeted, Prefix: "USER ", Other: served(addr)}.Run(t)
	if want := "500 Command line too long (more than 4096 bytes): closing the control connection.\r\n"; res.Answer != want {
		t.Errorf("answer = %q, want %q", res.Answer, want)
	}
	t.Logf("written %d, growth %d", res.Written, res.Growth)
	if res.Written >= servertest.FloodSize {
		t.Errorf("the server read all %d bytes of the line", res.Written)
	}
	if !strings.Contains(logs.String(), "longer than 4096 bytes") {
		t.Errorf("log = %q, want the long line noted", logs)
	}
}
