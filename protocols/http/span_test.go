package http

import (
	"strings"
	"testing"

	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

func TestFieldSpans(t *testing.T) {
	steps := []analyzertest.Step{
		{Dir: c2s, Data: "GET /index.html HTTP/1.1\r\nHost: www.lab.test\r\nAccept: */*\r\n\r\n"},
		{Dir: s2c, Data: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"},
		{Dir: c2s, Data: "POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"},
		{Dir: s2c, Data: "HTTP/1.1 204\r\n\r\n"},
	}
	for _, n := range []int{0, 1, 7} { // whole and in pieces: the spans must not depend on how bytes arrive
		msgs := analyzertest.Feed(NewAnalyzer(), steps, n)
		if len(msgs) != 4 {
			t.Fatalf("chunks of %d: %d messages", n, len(msgs))
		}
		analyzertest.CheckSpans(t, msgs)
		analyzertest.ExpectSpans(t, msgs[0], analyzertest.Spans{
			"request line": "GET /index.html HTTP/1.1\r\n", "method": "GET", "target": "/index.html", "version": "HTTP/1.1",
			"Host": "Host: www.lab.test\r\n", "Accept": "Accept: */*\r\n",
			"header section": "Host: www.lab.test\r\nAccept: */*\r\n\r\n",
		})
		analyzertest.ExpectSpans(t, msgs[1], analyzertest.Spans{
			"status line": "HTTP/1.1 200 OK\r\n", "version": "HTTP/1.1", "status code": "200", "reason": "OK",
			"Content-Type": "Content-Type: text/plain\r\n", "Content-Length": "Content-Length: 5\r\n", "body": "hello",
		})
		// A chunked body's span is the bytes after the head, as Raw keeps them.
		post := msgs[2]
		head := len("POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
		if got, _ := analyzertest.Span(post, "body"); got != string(post.Raw[head:]) || !strings.HasPrefix(got, "3\r\nabc") {
			t.Errorf("chunked body covers %q, want %q", got, post.Raw[head:])
		}
		analyzertest.ExpectSpans(t, msgs[3], analyzertest.Spans{"status line": "HTTP/1.1 204\r\n", "status code": "204"})
		if _, ok := analyzertest.Span(msgs[3], "header section"); ok {
			t.Error("a response without header fields has a header section")
		}
		if _, ok := analyzertest.Span(msgs[3], "reason"); ok {
			t.Error("a status line without a reason has a reason's span")
		}
	}
}
