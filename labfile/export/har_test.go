package export_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/labfile/export"
)

// checkHAR checks the structure HAR 1.2 requires: every required field present,
// with its JSON type. It returns the entries.
func checkHAR(t *testing.T, data []byte) []map[string]any {
	t.Helper()
	var f map[string]any
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("HAR is not JSON: %v", err)
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	obj := func(where string, v any) map[string]any {
		m, ok := v.(map[string]any)
		if !ok {
			bad("%s is %T, want an object", where, v)
		}
		return m
	}
	typed := func(where string, m map[string]any, key, kind string, required bool) any {
		v, ok := m[key]
		if !ok {
			if required {
				bad("%s.%s is missing", where, key)
			}
			return nil
		}
		okType := false
		switch kind {
		case "string":
			_, okType = v.(string)
		case "number":
			_, okType = v.(float64)
		case "object":
			_, okType = v.(map[string]any)
		case "array":
			_, okType = v.([]any)
		case "bool":
			_, okType = v.(bool)
		}
		if !okType {
			bad("%s.%s is %T, want a %s", where, key, v, kind)
		}
		return v
	}
	pairs := func(where string, v any, keys ...string) {
		list, _ := v.([]any)
		for i, p := range list {
			m := obj(fmt.Sprintf("%s[%d]", where, i), p)
			for _, k := range keys {
				typed(fmt.Sprintf("%s[%d]", where, i), m, k, "string", true)
			}
		}
	}
	log := obj("log", f["log"])
	if log == nil {
		t.Fatalf("no log object")
	}
	if v := typed("log", log, "version", "string", true); v != "1.2" {
		bad("log.version = %v, want 1.2", v)
	}
	creator := obj("log.creator", typed("log", log, "creator", "object", true))
	typed("log.creator", creator, "name", "string", true)
	typed("log.creator", creator, "version", "string", true)
	list, _ := typed("log", log, "entries", "array", true).([]any)
	var entries []map[string]any
	for i, v := range list {
		w := fmt.Sprintf("entries[%d]", i)
		e := obj(w, v)
		entries = append(entries, e)
		if s, _ := typed(w, e, "startedDateTime", "string", true).(string); s != "" {
			if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
				bad("%s.startedDateTime %q is not ISO 8601: %v", w, s, err)
			}
		}
		typed(w, e, "time", "number", true)
		typed(w, e, "cache", "object", true)
		typed(w, e, "serverIPAddress", "string", false)
		typed(w, e, "connection", "string", false)
		req := obj(w+".request", typed(w, e, "request", "object", true))
		for _, k := range []string{"method", "url", "httpVersion"} {
			typed(w+".request", req, k, "string", true)
		}
		pairs(w+".request.cookies", typed(w+".request", req, "cookies", "array", true), "name", "value")
		pairs(w+".request.headers", typed(w+".request", req, "headers", "array", true), "name", "value")
		pairs(w+".request.queryString", typed(w+".request", req, "queryString", "array", true), "name", "value")
		typed(w+".request", req, "headersSize", "number", true)
		typed(w+".request", req, "bodySize", "number", true)
		if pd, ok := req["postData"]; ok {
			p := obj(w+".request.postData", pd)
			typed(w+".request.postData", p, "mimeType", "string", true)
			_, hasText := p["text"]
			_, hasParams := p["params"]
			if !hasText && !hasParams {
				bad("%s.request.postData has neither text nor params", w)
			}
			typed(w+".request.postData", p, "text", "string", false)
			pairs(w+".request.postData.params", typed(w+".request.postData", p, "params", "array", false), "name")
		}
		resp := obj(w+".response", typed(w, e, "response", "object", true))
		typed(w+".response", resp, "status", "number", true)
		for _, k := range []string{"statusText", "httpVersion", "redirectURL"} {
			typed(w+".response", resp, k, "string", true)
		}
		pairs(w+".response.cookies", typed(w+".response", resp, "cookies", "array", true), "name", "value")
		pairs(w+".response.headers", typed(w+".response", resp, "headers", "array", true), "name", "value")
		typed(w+".response", resp, "headersSize", "number", true)
		typed(w+".response", resp, "bodySize", "number", true)
		c := obj(w+".response.content", typed(w+".response", resp, "content", "object", true))
		typed(w+".response.content", c, "size", "number", true)
		typed(w+".response.content", c, "mimeType", "string", true)
		typed(w+".response.content", c, "text", "string", false)
		if enc, ok := c["encoding"]; ok && enc != "base64" {
			bad("%s.response.content.encoding = %v", w, enc)
		}
		tm := obj(w+".timings", typed(w, e, "timings", "object", true))
		for _, k := range []string{"send", "wait", "receive"} {
			if n, _ := typed(w+".timings", tm, k, "number", true).(float64); n < 0 {
				bad("%s.timings.%s = %v, want ≥ 0", w, k, n)
			}
		}
		for _, k := range []string{"blocked", "dns", "connect", "ssl"} {
			if n, ok := typed(w+".timings", tm, k, "number", false).(float64); ok && n < 0 && n != -1 {
				bad("%s.timings.%s = %v, want ≥ 0 or -1", w, k, n)
			}
		}
	}
	if len(problems) > 0 {
		t.Fatalf("not HAR 1.2:\n%s", strings.Join(problems, "\n"))
	}
	return entries
}

func field(m map[string]any, path ...string) any {
	var v any = m
	for _, p := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[p]
	}
	return v
}

// TestHAR: the lab's HTTP and HTTPS exchanges as a HAR that validates.
func TestHAR(t *testing.T) {
	_, convs, events, _ := capture(t)
	var out bytes.Buffer
	if err := export.HAR(&out, convs, events); err != nil {
		t.Fatal(err)
	}
	entries := checkHAR(t, out.Bytes())
	byPath := make(map[string]map[string]any)
	for _, e := range entries {
		u, _ := field(e, "request", "url").(string)
		i := strings.Index(u, "://")
		j := strings.Index(u[i+3:], "/")
		byPath[u[:i]+" "+field(e, "request", "method").(string)+" "+u[i+3+j:]] = e
	}
	for _, want := range []string{"http GET /", "http POST /form?x=1&y=two", "https GET /lab-client", "https GET /curl-path"} {
		if byPath[want] == nil {
			t.Errorf("no entry %q; have %v", want, keys(byPath))
		}
	}
	if e := byPath["http GET /"]; e != nil {
		if got := field(e, "response", "status"); got != 200.0 {
			t.Errorf("GET / status = %v, want 200", got)
		}
		if text, _ := field(e, "response", "content", "text").(string); !strings.Contains(text, "<html") && !strings.Contains(text, "<!") {
			t.Errorf("GET / content = %.80q, want the page", text)
		}
	}
	if e := byPath["http POST /form?x=1&y=two"]; e != nil {
		q, _ := json.Marshal(field(e, "request", "queryString"))
		if string(q) != `[{"name":"x","value":"1"},{"name":"y","value":"two"}]` {
			t.Errorf("queryString = %s", q)
		}
		c, _ := json.Marshal(field(e, "request", "cookies"))
		if string(c) != `[{"name":"a","value":"1"},{"name":"b","value":"2"}]` {
			t.Errorf("cookies = %s", c)
		}
		if got := field(e, "request", "postData", "text"); got != "name=lab&note=hello" {
			t.Errorf("postData.text = %v", got)
		}
		p, _ := json.Marshal(field(e, "request", "postData", "params"))
		if string(p) != `[{"name":"name","value":"lab"},{"name":"note","value":"hello"}]` {
			t.Errorf("postData.params = %s", p)
		}
		if got := field(e, "request", "bodySize"); got != 19.0 {
			t.Errorf("bodySize = %v, want 19", got)
		}
	}
	if e := byPath["https GET /curl-path"]; e != nil {
		if got := field(e, "response", "status"); got != 404.0 {
			t.Errorf("GET /curl-path status = %v, want 404", got)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestHARFraming: chunked bodies, interim responses, HEAD, bodies delimited by
// the connection's close and a binary body, from bytes written here.
func TestHARFraming(t *testing.T) {
	t0 := time.Date(2025, 5, 1, 12, 0, 0, 0, time.UTC)
	c := lab.ConvInfo{ID: 3, Protocol: "http", Transport: "tcp", Client: "127.0.0.1:50000", Server: "127.0.0.1:8080"}
	req := "POST /up HTTP/1.1\r\nHost: www.lab.test\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n" +
		"5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nT: 1\r\n\r\n" +
		"HEAD /h HTTP/1.1\r\nHost: www.lab.test\r\n\r\n" +
		"GET /bin HTTP/1.1\r\nHost: www.lab.test\r\n\r\n"
	resp := "HTTP/1.1 100 Continue\r\n\r\n" +
		"HTTP/1.1 201 Created\r\nContent-Length: 2\r\nSet-Cookie: s=1; Path=/; HttpOnly\r\nLocation: /up/1\r\n\r\nok" +
		"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" +
		"HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n\x00\x01\xff"
	events := []lab.Event{
		{Seq: 1, At: t0, Conv: 3, Kind: lab.KindData, Dir: lab.ClientToServer, Side: lab.SideServer, Data: []byte(req[:40])},
		{Seq: 2, At: t0.Add(time.Millisecond), Conv: 3, Kind: lab.KindData, Dir: lab.ClientToServer, Side: lab.SideServer, Data: []byte(req[40:])},
		{Seq: 3, At: t0.Add(5 * time.Millisecond), Conv: 3, Kind: lab.KindData, Dir: lab.ServerToClient, Side: lab.SideServer, Data: []byte(resp)},
	}
	var out bytes.Buffer
	if err := export.HAR(&out, []lab.ConvInfo{c}, events); err != nil {
		t.Fatal(err)
	}
	entries := checkHAR(t, out.Bytes())
	if len(entries) != 3 {
		t.Fatalf("%d entries, want 3:\n%s", len(entries), out.String())
	}
	for i, tt := range []struct {
		url, text, encoding string
		status              float64
	}{
		{"http://www.lab.test/up", "ok", "", 201},
		{"http://www.lab.test/h", "", "", 200},
		{"http://www.lab.test/bin", "AAH/", "base64", 200},
	} {
		e := entries[i]
		if got := field(e, "request", "url"); got != tt.url {
			t.Errorf("entry %d url = %v, want %s", i, got, tt.url)
		}
		if got := field(e, "response", "status"); got != tt.status {
			t.Errorf("entry %d status = %v, want %v", i, got, tt.status)
		}
		if got, _ := field(e, "response", "content", "text").(string); got != tt.text {
			t.Errorf("entry %d content.text = %q, want %q", i, got, tt.text)
		}
		if got, _ := field(e, "response", "content", "encoding").(string); got != tt.encoding {
			t.Errorf("entry %d content.encoding = %q, want %q", i, got, tt.encoding)
		}
	}
	if got := field(entries[0], "request", "postData", "text"); got != "hello world" {
		t.Errorf("chunked postData.text = %v, want the decoded body", got)
	}
	if got := field(entries[0], "response", "redirectURL"); got != "/up/1" {
		t.Errorf("redirectURL = %v", got)
	}
	ck, _ := json.Marshal(field(entries[0], "response", "cookies"))
	if string(ck) != `[{"httpOnly":true,"name":"s","path":"/","value":"1"}]` {
		t.Errorf("response cookies = %s", ck)
	}
	if got := field(entries[0], "timings", "wait"); got != 4.0 {
		t.Errorf("wait = %v ms, want 4", got)
	}
}

// FuzzHAR: HAR never panics on captured bytes, and always writes JSON.
func FuzzHAR(f *testing.F) {
	f.Add([]byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), []byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"))
	f.Add([]byte("POST /x?a=%zz HTTP/1.1\r\nTransfer-Encoding: chunked\r\nCookie: =;;\r\n\r\nffffffffffffffff\r\n"), []byte("HTTP/1.1 101 Switching\r\n\r\n\x81\x00"))
	f.Add([]byte("GET / HTTP/1.0\n\n"), []byte("HTTP/1.1 200 OK\nContent-Length: 99999999999999999999\n\n"))
	f.Add([]byte("HEAD / HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), []byte("HTTP/1.1 100 x\r\n\r\nHTTP/1.1 200\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\nabc"))
	f.Add([]byte("\x16\x03\x01\x00"), []byte{})
	f.Fuzz(func(t *testing.T, cs, sc []byte) {
		c := lab.ConvInfo{ID: 1, Protocol: "http", Transport: "tcp", Client: "127.0.0.1:1", Server: "127.0.0.1:2"}
		t0 := time.Unix(1, 0)
		events := []lab.Event{
			{Seq: 1, At: t0, Conv: 1, Kind: lab.KindData, Dir: lab.ClientToServer, Side: lab.SideClient, Data: cs},
			{Seq: 2, At: t0, Conv: 1, Kind: lab.KindData, Dir: lab.ServerToClient, Side: lab.SideClient, Data: sc},
			{Seq: 3, At: t0, Conv: 1, Kind: lab.KindMessage, Dir: lab.ClientToServer, Layer: "http",
				Msg: &lab.Message{Fields: []lab.Field{{Name: "request line"}}, Raw: cs}},
			{Seq: 4, At: t0, Conv: 1, Kind: lab.KindMessage, Dir: lab.ServerToClient, Layer: "http",
				Msg: &lab.Message{Fields: []lab.Field{{Name: "status line"}}, Raw: sc}},
		}
		var out bytes.Buffer
		if err := export.HAR(&out, []lab.ConvInfo{c}, events); err != nil {
			t.Fatal(err)
		}
		if !json.Valid(out.Bytes()) {
			t.Fatalf("not JSON: %s", out.String())
		}
	})
}
