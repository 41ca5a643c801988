package redisserver

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// badInput is what clients send that breaks RESP or the server's bounds,
// with Redis's answer.
var badInput = []struct {
	name, send, answer string
}{
	{"bulk length not a number", "*1\r\n$abc\r\n", "-ERR Protocol error: invalid bulk length"},
	{"negative bulk length", "*1\r\n$-5\r\n", "-ERR Protocol error: invalid bulk length"},
	{"bulk string over the bound", "*2\r\n$3\r\nGET\r\n$2000\r\n", "-ERR Protocol error: invalid bulk length"},
	{"array length not a number", "*x\r\n", "-ERR Protocol error: invalid multibulk length"},
	{"array length over Redis's bound", "*2000000\r\n", "-ERR Protocol error: invalid multibulk length"},
	{"element not a bulk string", "*1\r\n:1\r\n", "-ERR Protocol error: expected '$', got ':'"},
	{"unbalanced quotes", "SET \"a b\r\n", "-ERR Protocol error: unbalanced quotes in request"},
	{"unknown type byte", "?\r\n", "-ERR unknown command"},
	{"inline line over the bound", strings.Repeat("x", 70000) + "\r\n", "-ERR Protocol error: too big inline request"},
	{"command over the bound", "*3\r\n$3\r\nSET\r\n$1000\r\n" + strings.Repeat("x", 1000) + "\r\n$1000\r\n", "-ERR Protocol error: command longer than the server's limit of 1500 bytes (client-query-buffer-limit)"},
}

// TestBadInput: each malformed command is answered with Redis's error after
// the replies to the commands before it, and the connection is closed
// (but for an unknown command, which is only an error); another client is
// served meanwhile, and the lab shows what was wrong.
func TestBadInput(t *testing.T) {
	addr, _, hub := testServer(t, Options{DefaultUserOn: true, MaxBulk: 1000, MaxRequest: 1500})
	other := client(t, addr, 2)
	for _, tt := range badInput {
		t.Run(strings.ReplaceAll(tt.name, " ", "_"), func(t *testing.T) {
			c, r := rawConn(t, addr)
			c.Write([]byte("PING\r\n" + tt.send))
			if got := readLine(t, r); got != "+PONG" {
				t.Errorf("PING before: %q", got)
			}
			if got := readLine(t, r); !strings.HasPrefix(got, tt.answer) {
				t.Errorf("answer %q, want %q", got, tt.answer)
			}
			if !strings.HasPrefix(tt.answer, "-ERR Protocol error") {
				return
			}
			if rest, err := io.ReadAll(r); err != nil || len(rest) != 0 {
				t.Errorf("after the error: %q, %v; want the close", rest, err)
			}
			if err := other.Set(context.Background(), "still", "served", 0).Err(); err != nil {
				t.Errorf("another client: %v", err)
			}
		})
	}
	msgs := messages(t, hub, func(m []lab.Message) bool { return has(m, "(error) ERR Protocol error: too big inline request") })
	n := 0
	for _, m := range msgs {
		if strings.HasPrefix(m.Summary, "malformed") || strings.HasSuffix(m.Summary, "not held") {
			n++
		}
	}
	if n < 4 {
		t.Errorf("the lab shows %d malformed inputs in %q", n, summaries(msgs))
	}
}

// TestFlood: a bulk string of 16 MiB is refused at the bound without the
// server reading it all, memory stays flat, and another client is served.
func TestFlood(t *testing.T) {
	addr, _, _ := testServer(t, Options{DefaultUserOn: true})
	res := servertest.Flood{
		Addr:   addr,
		Prefix: "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$16777216\r\n",
		Other: func() error {
			c, r := rawConn(t, addr)
			c.Write([]byte("PING\r\n"))
			if got := readLine(t, r); got != "+PONG" {
				return fmt.Errorf("PING = %q", got)
			}
			return nil
		},
	}.Run(t)
	if !strings.Contains(res.Answer, "-ERR Protocol error: invalid bulk length") {
		t.Errorf("answer %q", res.Answer)
	}
}
