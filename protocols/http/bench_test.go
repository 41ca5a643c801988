package http

import (
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// BenchmarkAnalyze measures the analyzer on a keep-alive connection's
// traffic: a GET as Go's client sends it, and its short answer. An op is one
// request and its response.
//
//	go test -run '^$' -bench Analyze -benchmem ./protocols/http/
func BenchmarkAnalyze(b *testing.B) {
	a := NewAnalyzer()
	req := []byte("GET /status/200 HTTP/1.1\r\nHost: 127.0.0.1:41234\r\nUser-Agent: Go-http-client/1.1\r\nAccept-Encoding: gzip\r\n\r\n")
	resp := []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nDate: Sun, 06 Dec 2026 01:00:00 GMT\r\nContent-Length: 3\r\n\r\nOK\n")
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		a.Feed(lab.ClientToServer, req, now)
		a.Feed(lab.ServerToClient, resp, now)
	}
}

// BenchmarkDetail measures building a request's and its response's fields
// and meaning when they are asked for (the detail view, serve --json): the
// third exchange of the same heads on a connection (the heads remembered:
// memo.go).
func BenchmarkDetail(b *testing.B) {
	a := NewAnalyzer()
	req := []byte("GET /status/200 HTTP/1.1\r\nHost: 127.0.0.1:41234\r\nUser-Agent: Go-http-client/1.1\r\nAccept-Encoding: gzip\r\n\r\n")
	resp := []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nDate: Sun, 06 Dec 2026 01:00:00 GMT\r\nContent-Length: 3\r\n\r\nOK\n")
	var msgs []lab.Message
	for range 3 {
		msgs = append(a.Feed(lab.ClientToServer, req, time.Now()), a.Feed(lab.ServerToClient, resp, time.Now())...)
	}
	if len(msgs) != 2 || !msgs[0].Deferred() || !msgs[1].Deferred() {
		b.Fatalf("%d messages", len(msgs))
	}
	b.ReportAllocs()
	for b.Loop() {
		for i := range msgs {
			if fields, _ := msgs[i].Detail(); len(fields) == 0 {
				b.Fatal("no fields")
			}
		}
	}
}

// BenchmarkAnalyzeUnmemoized is BenchmarkAnalyze with the heads parsed each
// time (memos off), beside it.
func BenchmarkAnalyzeUnmemoized(b *testing.B) {
	memoize = false
	defer func() { memoize = true }()
	BenchmarkAnalyze(b)
}

// BenchmarkDetailUnmemoized is BenchmarkDetail with the heads parsed each
// time (memos off), beside it.
func BenchmarkDetailUnmemoized(b *testing.B) {
	memoize = false
	defer func() { memoize = true }()
	BenchmarkDetail(b)
}
