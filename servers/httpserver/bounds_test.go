package httpserver_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/protocollab/protolab/servers/httpserver"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// TestFloodRefused: 16 MiB of a header field without a line end is answered
// 431 at the header's bound, a body of 16 MiB 413 (at once when its length is
// declared, at MaxBody when chunked), the connection closed each time, while
// another client is served.
func TestFloodRefused(t *testing.T) {
	hub, p := newHub()
	_, addr := startServer(t, httpserver.Options{Tap: hub.Tap(p)})
	other := func() error {
		resp, err := http.Get("http://" + addr + "/echo")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != 200 {
			return fmt.Errorf("GET /echo: %s", resp.Status)
		}
		return nil
	}
	for _, tt := range []struct{ name, prefix, want string }{
		{"a header field", "GET / HTTP/1.1\r\nHost: lab\r\nX-Flood: ", "HTTP/1.1 431 Request Header Fields Too Large\r\n"},
		{"a request line", "GET /", "HTTP/1.1 431 Request Header Fields Too Large\r\n"},
		{"a body", fmt.Sprintf("POST /echo HTTP/1.1\r\nHost: lab\r\nContent-Length: %d\r\n\r\n", servertest.FloodSize), "HTTP/1.1 413 Request Entity Too Large\r\n"},
		{"a chunked body", fmt.Sprintf("POST /echo HTTP/1.1\r\nHost: lab\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n", servertest.FloodSize), "HTTP/1.1 413 Request Entity Too Large\r\n"},
	} {
		res := servertest.Flood{Addr: addr, Prefix: tt.prefix, Other: other}.Run(t)
		if !strings.HasPrefix(res.Answer, tt.want) {
			t.Errorf("%s of 16 MiB: %q, want %q…", tt.name, res.Answer, tt.want)
		}
	}
}
