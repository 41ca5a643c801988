package http

import (
	"fmt"
	"mime"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// TestMediaTypeIsParseMediaTypes: the summary's media type is what
// mime.ParseMediaType gives, or the value as it is when that fails, with or
// without the shortcut for a plain type/subtype.
func TestMediaTypeIsParseMediaTypes(t *testing.T) {
	var types mediaTypes
	for _, ct := range []string{
		"text/plain", "text/plain; charset=utf-8", "Text/HTML", "application/json", "text/plain ",
		"text", "text/", "/plain", "a/b/c", "text/plain;", "image/svg+xml", "x/y; q=\"1\"", "te xt/plain", "",
		"application/vnd.api+json", "multipart/form-data; boundary=abc", "TEXT/plain; CHARSET=UTF-8", "ü/x",
	} {
		want := ct
		if t, _, err := mime.ParseMediaType(ct); err == nil {
			want = t
		}
		if got := mediaType(ct); got != want {
			t.Errorf("mediaType(%q) = %q, want %q", ct, got, want)
		}
		for range 2 { // the analyzer's memory of the last one, filled and then used
			if got := types.of(ct); got != want {
				t.Errorf("mediaTypes.of(%q) = %q, want %q", ct, got, want)
			}
		}
	}
}

// TestHeaderJoinsRepeatedFields: a field given once is its value as it is;
// given several times, the values joined by commas (RFC 9110 §5.3).
func TestHeaderJoinsRepeatedFields(t *testing.T) {
	m := &message{headers: []lab.Field{
		{Name: "Accept", Value: "a"}, {Name: "Host", Value: "h"}, {Name: "accept", Value: "b"}, {Name: "ACCEPT", Value: "c"},
	}}
	for _, c := range []struct {
		name, want string
		n          int
	}{{"Accept", "a, b, c", 3}, {"host", "h", 1}, {"Via", "", 0}} {
		if got, n := m.header(c.name); got != c.want || n != c.n {
			t.Errorf("header(%q) = %q, %d; want %q, %d", c.name, got, n, c.want, c.n)
		}
	}
	// The request line's three parts, as strings.Split's three.
	for _, line := range []string{"GET / HTTP/1.1", "GET  / HTTP/1.1", "GET / HTTP/1.1 x", "GET /", " GET / HTTP/1.1", "GET / HTTP/1.1 "} {
		_, err := parseHead(lab.ClientToServer, []byte(line+"\r\n\r\n"), false, nil)
		parts := strings.Split(line, " ")
		valid := len(parts) == 3 && token(parts[0]) && parts[1] != "" && version(parts[2])
		if (err == "") != valid {
			t.Errorf("request line %q: error %q, want valid %v", line, err, valid)
		}
	}
}

// TestRawInPlace: a message that came whole in one feed is those very bytes
// (no copy); one that goes on in the next feed is copied from there, and the
// fed bytes, even with room after them, are never written.
func TestRawInPlace(t *testing.T) {
	first := "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
	second := "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nwor"
	buf := make([]byte, 0, 256)
	buf = append(buf, first+second...)
	room := buf[len(buf):cap(buf)]
	for i := range room {
		room[i] = '#'
	}
	fed := string(buf)
	a := NewAnalyzer()
	a.Feed(lab.ClientToServer, []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"), time.Time{})
	msgs := a.Feed(lab.ServerToClient, buf, time.Time{})
	if len(msgs) != 1 || string(msgs[0].Raw) != first {
		t.Fatalf("first response: %d messages, raw %q", len(msgs), msgs[0].Raw)
	}
	if &msgs[0].Raw[0] != &buf[0] || cap(msgs[0].Raw) != len(first) {
		t.Errorf("the first response's bytes were copied (or reach past it: cap %d)", cap(msgs[0].Raw))
	}
	msgs = a.Feed(lab.ServerToClient, []byte("ld!"), time.Time{})
	if len(msgs) != 1 || string(msgs[0].Raw) != second+"ld!" {
		t.Fatalf("second response: %d messages, raw %q", len(msgs), msgs[0].Raw)
	}
	if string(buf) != fed || strings.Trim(string(room), "#") != "" {
		t.Errorf("the fed bytes changed: %q, room after them %q", buf, room)
	}
}

// TestKeptFieldsAreTheWholeOnes: a message's fields and meaning, made when
// someone looks from its bytes and what it kept, are those its parse had
// when it was framed: requests and responses, with and without bodies,
// chunked with trailers, binary, longer than the preview and than the bytes
// kept.
func TestKeptFieldsAreTheWholeOnes(t *testing.T) {
	long := strings.Repeat("x", MaxKeptBytes+10)
	cases := []struct {
		dir  lab.Dir
		wire string
	}{
		{lab.ClientToServer, "POST /form HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\na=b"},
		{lab.ClientToServer, "PUT /x?y=1 HTTP/1.0\r\nHost: h\r\nAccept: a\r\nAccept: b\r\nContent-Length: 1\r\n\r\n!"},
		{lab.ServerToClient, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 5\r\n\r\nhello"},
		{lab.ServerToClient, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3;x=y\r\nabc\r\n0\r\nExpires: never\r\n\r\n"},
		{lab.ServerToClient, "HTTP/1.1 200 OK\r\nContent-Length: 400\r\n\r\n" + strings.Repeat("é", 200)},
		{lab.ServerToClient, "HTTP/1.1 418 \r\nContent-Length: 4\r\n\r\n\x00\x01\x02\xff"},
		{lab.ServerToClient, fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(long), long)},
	}
	for _, c := range cases {
		a := NewAnalyzer()
		if c.dir == lab.ServerToClient {
			a.Feed(lab.ClientToServer, []byte("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), time.Time{})
		}
		wire := []byte(c.wire)
		a.Feed(c.dir, wire[:len(wire)-1], time.Time{})
		m := a.streams[c.dir].msg
		msgs := a.Feed(c.dir, wire[len(wire)-1:], time.Time{})
		if m == nil || len(msgs) != 1 || !msgs[0].Deferred() {
			t.Fatalf("%.40q: %d messages", c.wire, len(msgs))
		}
		about := statusInfo(m.status)
		if c.dir == lab.ClientToServer {
			about = methodInfo(m.method)
		}
		fields, meaning := msgs[0].Detail()
		if want := m.fields(c.dir); !reflect.DeepEqual(fields, want) || meaning != m.meaning(c.dir, about) {
			t.Errorf("%.40q: fields when asked\n%v\nwant\n%v\nmeaning %q, want %q", c.wire, fields, want, meaning, m.meaning(c.dir, about))
		}
	}
}

// TestHeadRoomReused: a stream parses every head in the same room; what a
// message showed of its head (built at once for an upgrade offer, or later
// from its bytes) stays as it was when the next heads reuse the room.
func TestHeadRoomReused(t *testing.T) {
	a := NewAnalyzer()
	var out []lab.Message
	feed := func(dir lab.Dir, s string) { out = append(out, a.Feed(dir, []byte(s), time.Time{})...) }
	feed(lab.ClientToServer, "GET /chat HTTP/1.1\r\nHost: one.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
	feed(lab.ServerToClient, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
	for i := range 20 {
		feed(lab.ClientToServer, fmt.Sprintf("GET /%d HTTP/1.1\r\nHost: h%d.test\r\nX-Long: %s\r\n\r\n", i, i, strings.Repeat("z", i*10)))
		feed(lab.ServerToClient, "HTTP/1.1 204 No Content\r\n\r\n")
	}
	if len(out) != 42 {
		t.Fatalf("%d messages, want 42", len(out))
	}
	value := func(m lab.Message, name string) string {
		fields, _ := m.Detail()
		for _, f := range fields {
			if f.Name == name {
				return f.Value
			}
		}
		return ""
	}
	if out[0].Deferred() || value(out[0], "Upgrade") != "websocket" || value(out[0], "Host") != "one.test" {
		t.Errorf("the upgrade offer: deferred %v, Upgrade %q, Host %q", out[0].Deferred(), value(out[0], "Upgrade"), value(out[0], "Host"))
	}
	for i := range 20 {
		m := out[2+2*i]
		if want := fmt.Sprintf("GET /%d HTTP/1.1", i); m.Summary != want || value(m, "Host") != fmt.Sprintf("h%d.test", i) || value(m, "X-Long") != strings.Repeat("z", i*10) {
			t.Errorf("request %d: %q, Host %q, X-Long %q", i, m.Summary, value(m, "Host"), value(m, "X-Long"))
		}
	}
}

// TestPreviewRoomReused: a stream reads every body's first bytes into the
// same room; a message whose body is not in its bytes as it crossed the wire
// (chunked, or fed in pieces) keeps a copy, so each message shows its own
// body when the next bodies have reused the room.
func TestPreviewRoomReused(t *testing.T) {
	a := NewAnalyzer()
	var out []lab.Message
	a.Feed(lab.ClientToServer, []byte("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), time.Time{})
	for i := range 12 {
		var body string
		switch i % 3 {
		case 0:
			body = fmt.Sprintf("Transfer-Encoding: chunked\r\n\r\n5\r\nbody%d\r\n0\r\n\r\n", i%10)
		default:
			body = fmt.Sprintf("Content-Length: 5\r\n\r\nbody%d", i%10)
		}
		wire := []byte("HTTP/1.1 200 OK\r\n" + body)
		if i%3 == 2 { // in pieces: the body is a copy
			for _, b := range wire {
				out = append(out, a.Feed(lab.ServerToClient, []byte{b}, time.Time{})...)
			}
		} else {
			out = append(out, a.Feed(lab.ServerToClient, wire, time.Time{})...)
		}
		a.Feed(lab.ClientToServer, []byte("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), time.Time{})
	}
	if len(out) != 12 {
		t.Fatalf("%d responses, want 12", len(out))
	}
	for i, m := range out {
		fields, _ := m.Detail()
		body := ""
		for _, f := range fields {
			if f.Name == "body" {
				body = f.Value
			}
		}
		if want := fmt.Sprintf("%q", fmt.Sprintf("body%d", i%10)); body != want {
			t.Errorf("response %d: body %s, want %s", i, body, want)
		}
	}
}

// TestAppendSize: appendSize writes what size says.
func TestAppendSize(t *testing.T) {
	for _, n := range []int64{0, 1, 2, 999, 1000, 1049, 999_949, 999_999, 1_000_000, 12_345_678} {
		if got := string(appendSize([]byte("x "), n)); got != "x "+size(n) {
			t.Errorf("appendSize(%d) = %q, want %q", n, got, "x "+size(n))
		}
	}
}

// TestHeaderAnyCase: a field is found whatever the case of its name, every
// field of the name is joined (RFC 9110 §5.3), and a name of another length
// that folds to the same letters (the Kelvin sign for K) is not the field.
func TestHeaderAnyCase(t *testing.T) {
	m := message{headers: []lab.Field{
		{Name: "content-LENGTH", Value: "5"}, {Name: "Content-Type", Value: "x"},
		{Name: "Content-Length", Value: "6"}, {Name: "\u212aeep-Alive", Value: "1"},
	}}
	if v, n := m.header("Content-Length"); v != "5, 6" || n != 2 {
		t.Errorf("Content-Length: %q, %d; want \"5, 6\", 2", v, n)
	}
	if v, n := m.header("keep-alive"); v != "" || n != 0 {
		t.Errorf("keep-alive: %q, %d; want none", v, n)
	}
}
