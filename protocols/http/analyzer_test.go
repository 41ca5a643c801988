package http

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

const (
	c2s = lab.ClientToServer
	s2c = lab.ServerToClient
)

type step struct {
	dir  lab.Dir
	data string
}

var framingTests = []struct {
	name  string
	steps []step
	want  []string // summaries, in order
	state string
}{
	{"get and length", []step{
		{c2s, "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n"},
		{s2c, "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 1200\r\n\r\n" + strings.Repeat("a", 1200)},
	}, []string{"GET /index.html HTTP/1.1", "200 OK (text/html, 1.2 kB)"}, StateIdle},
	{"chunked with trailer", []step{
		{c2s, "POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nX-Sum: 1\r\n\r\n"},
		{s2c, "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"},
	}, []string{"POST /up HTTP/1.1", "201 Created (11 bytes)"}, StateIdle},
	{"head, 204, 304, 100", []step{
		{c2s, "HEAD / HTTP/1.1\r\n\r\nGET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n"},
		{s2c, "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n"},
	}, []string{"HEAD / HTTP/1.1", "GET /a HTTP/1.1", "GET /b HTTP/1.1", "200 OK", "100 Continue", "204 No Content", "304 Not Modified"}, StateIdle},
	{"until close", []step{
		{c2s, "GET / HTTP/1.0\r\n\r\n"},
		{s2c, "HTTP/1.0 200 OK\r\n\r\nhello, world"},
	}, []string{"GET / HTTP/1.0"}, StateResponse},
	{"malformed request", []step{
		{c2s, "GARBAGE\r\n\r\nGET / HTTP/1.1\r\n\r\n"},
	}, []string{"malformed HTTP request: the request line \"GARBAGE\" is not METHOD target HTTP/x.y"}, StateIdle},
	{"bad chunk size", []step{
		{c2s, "GET / HTTP/1.1\r\n\r\n"},
		{s2c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"},
	}, []string{"GET / HTTP/1.1", "malformed HTTP response: the chunk size \"zz\" is not a hexadecimal number"}, StateIdle},
	{"switching protocols", []step{
		{c2s, "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n"},
		{s2c, "HTTP/1.1 101 Switching Protocols\r\n\r\n\x81\x05hello"},
		{c2s, "\x81\x05hello"},
	}, []string{"GET /ws HTTP/1.1", "101 Switching Protocols"}, StateSwitched},
}

// run feeds steps to a new analyzer in pieces of n bytes (whole steps if n is 0).
func run(steps []step, n int) (*Analyzer, []lab.Message) {
	a := NewAnalyzer()
	var out []lab.Message
	for _, s := range steps {
		b := []byte(s.data)
		for len(b) > 0 {
			k := len(b)
			if n > 0 {
				k = min(k, n)
			}
			out = append(out, a.Feed(s.dir, b[:k:k], time.Time{})...)
			b = b[k:]
		}
	}
	return a, out
}

func summaries(ms []lab.Message) []string {
	var s []string
	for _, m := range ms {
		s = append(s, m.Summary)
	}
	return s
}

func TestFraming(t *testing.T) {
	for _, tt := range framingTests {
		for _, n := range []int{0, 1, 2, 7} {
			a, out := run(tt.steps, n)
			if got, want := strings.Join(summaries(out), " | "), strings.Join(tt.want, " | "); got != want {
				t.Errorf("%s, pieces of %d: messages = %q, want %q", tt.name, n, got, want)
			}
			if got := a.State(); got != tt.state {
				t.Errorf("%s, pieces of %d: State = %q, want %q", tt.name, n, got, tt.state)
			}
		}
	}
}

func TestUntilClose(t *testing.T) {
	a, _ := run(framingTests[3].steps, 3)
	out := a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN})
	if len(out) != 1 || out[0].Summary != "200 OK (12 bytes)" {
		t.Fatalf("on close = %q, want one 200 OK (12 bytes)", summaries(out))
	}
	if got := fieldValue(out[0], "body"); got != `"hello, world"` {
		t.Errorf("body = %q", got)
	}
	if a.State() != StateClosed {
		t.Errorf("State = %q, want closed", a.State())
	}
}

func TestChunkedFields(t *testing.T) {
	_, out := run(framingTests[1].steps, 1)
	req := out[0]
	if got := fieldValue(req, "trailer X-Sum"); got != "1" {
		t.Errorf("trailer = %q, want 1", got)
	}
	if got := fieldValue(out[1], "chunks"); got != "2" {
		t.Errorf("chunks = %q, want 2", got)
	}
	if got := fieldValue(out[1], "body"); got != `"hello world"` {
		t.Errorf("body = %q, want the chunks' data", got)
	}
	if _, meaning := out[1].Detail(); out[1].Ref != "RFC 9110 §15.3.2" || !strings.Contains(meaning, "created") {
		t.Errorf("201 meaning %q ref %q", meaning, out[1].Ref)
	}
}

func TestBoundedBody(t *testing.T) {
	a := NewAnalyzer()
	a.Feed(c2s, []byte("GET /big HTTP/1.1\r\n\r\n"), time.Time{})
	const total = 4 << 20
	a.Feed(s2c, []byte("HTTP/1.1 200 OK\r\nContent-Length: "+itoa(total)+"\r\n\r\n"), time.Time{})
	piece := make([]byte, 32<<10)
	var out []lab.Message
	for sent := 0; sent < total; sent += len(piece) {
		out = append(out, a.Feed(s2c, piece, time.Time{})...)
		if p := a.Pending(s2c); p > MaxKeptBytes+MaxHeadBytes {
			t.Fatalf("pending = %d after %d bytes", p, sent)
		}
	}
	if len(out) != 1 || fieldValue(out[0], "body length") != "4194304 bytes" || len(out[0].Raw) != MaxKeptBytes {
		t.Fatalf("got %q raw %d", summaries(out), len(out[0].Raw))
	}
}

func TestHeadTooLong(t *testing.T) {
	a := NewAnalyzer()
	out := a.Feed(c2s, []byte("GET / HTTP/1.1\r\nX: "+strings.Repeat("a", MaxHeadBytes)), time.Time{})
	if len(out) != 1 || !strings.HasPrefix(out[0].Summary, "malformed HTTP request") {
		t.Fatalf("got %q, want malformed", summaries(out))
	}
}

func fieldValue(m lab.Message, name string) string {
	fields, _ := m.Detail()
	for _, f := range fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

func itoa(n int) string { return strconv.Itoa(n) }
