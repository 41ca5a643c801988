package http

import (
	"mime"
	"strings"
	"testing"

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
		_, err := parseHead(lab.ClientToServer, []byte(line+"\r\n\r\n"))
		parts := strings.Split(line, " ")
		valid := len(parts) == 3 && token(parts[0]) && parts[1] != "" && version(parts[2])
		if (err == "") != valid {
			t.Errorf("request line %q: error %q, want valid %v", line, err, valid)
		}
	}
}
