package redisserver

import (
	"fmt"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
)

// TestRedisCLI: redis-cli connects unchanged, over RESP2 and RESP3, runs a
// transaction, and sends a pipe of many commands in one write.
func TestRedisCLI(t *testing.T) {
	addr, _, hub := testServer(t, Options{})
	out := redisCLI(t, addr, "SET greeting hello\nGET greeting\nRPUSH l a b\nLRANGE l 0 -1\nMULTI\nINCR n\nINCR n\nEXEC\nHSET h f v\n", "--no-raw")
	want := "OK\n\"hello\"\n(integer) 2\n1) \"a\"\n2) \"b\"\nOK\nQUEUED\nQUEUED\n1) (integer) 1\n2) (integer) 2\n(integer) 1\n"
	if out != want {
		t.Errorf("redis-cli RESP2:\n%s\nwant\n%s", out, want)
	}
	if out := redisCLI(t, addr, "", "-3", "--no-raw", "HGETALL", "h"); out != "1# \"f\" => \"v\"\n" {
		t.Errorf("redis-cli -3 HGETALL: %q", out)
	}
	var pipe strings.Builder
	for i := range 100 {
		pipe.WriteString(command("SET", fmt.Sprintf("k%02d", i), "v"))
	}
	if out := redisCLI(t, addr, pipe.String(), "--pipe"); !strings.Contains(out, "errors: 0, replies: 100") {
		t.Errorf("redis-cli --pipe: %q", out)
	}
	msgs := messages(t, hub, func(m []lab.Message) bool { return has(m, "HGETALL → (map of 1)") && has(m, "SET k99 v") })
	for _, want := range []string{"HELLO 3", "EXEC → (array of 2)", "SET → OK"} {
		if !has(msgs, want) {
			t.Errorf("no %q in %q", want, summaries(msgs))
		}
	}
}

// command is a command as an array of bulk strings.
func command(words ...string) string {
	var args [][]byte
	for _, w := range words {
		args = append(args, []byte(w))
	}
	return string(encode(args))
}
