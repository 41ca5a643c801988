package http

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/protocollab/protolab/lab"
)

// TestRepeatedHeads: a keep-alive connection's repeated heads are taken from
// the streams' memos from the third on, their summaries shared, and every
// message is what parsing each head makes, where a response under the same
// head differs in its body (chunked: another size) or in its framing (the
// response to HEAD has none), and where the head changes and repeats again.
func TestRepeatedHeads(t *testing.T) {
	get := "GET /status/200 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"
	head := "HEAD /status/200 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"
	ok := "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 7\r\n\r\n200 OK\n"
	chunked := "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
	var steps []step
	for range 4 {
		steps = append(steps, step{c2s, get}, step{s2c, ok})
	}
	for _, body := range []string{"3\r\nabc\r\n0\r\n\r\n", "3\r\nabc\r\n0\r\n\r\n", "3\r\nabc\r\n0\r\n\r\n", "5\r\nabcde\r\n0\r\n\r\n", "3\r\nabc\r\n0\r\n\r\n"} {
		steps = append(steps, step{c2s, get}, step{s2c, chunked + body})
	}
	for range 3 {
		steps = append(steps, step{c2s, head}, step{s2c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 7\r\n\r\n"})
	}
	steps = append(steps, step{c2s, get}, step{s2c, ok})

	a, got := run(steps, 0)
	_, want := withoutMemosRun(steps)
	sameMessages(t, got, want)
	for _, want := range []string{"200 OK (text/plain, 3 bytes)", "200 OK (text/plain, 5 bytes)", "200 OK (text/plain)"} {
		if !strings.Contains(strings.Join(summaries(got), "|"), want) {
			t.Errorf("no message %q among %q", want, summaries(got))
		}
	}
	// The first four requests: parsed, parsed again (the memo made, with
	// its summary), then taken from the memo, the summary too.
	if p := unsafe.StringData(got[2].Summary); p != unsafe.StringData(got[4].Summary) || p != unsafe.StringData(got[6].Summary) || p == unsafe.StringData(got[0].Summary) {
		t.Errorf("the second to fourth requests' summaries are not the memo's one")
	}
	if a.streams[c2s].memo == nil || a.streams[s2c].memo == nil {
		t.Fatal("no memos after heads repeated")
	}
	// The memo's memory counts once, with the first message that keeps it.
	a3, got3 := run(steps[:6], 0)
	_, want3 := withoutMemosRun(steps[:6])
	for i, p := range []*memo{a3.streams[c2s].memo, a3.streams[s2c].memo} {
		if maker, next := got3[2+i], got3[4+i]; maker.Held() != want3[2+i].Held()+p.size() || next.Held() != want3[4+i].Held() {
			t.Errorf("held: the memo's maker %d (without memos %d, the memo %d bytes), the next %d (%d)",
				maker.Held(), want3[2+i].Held(), p.size(), next.Held(), want3[4+i].Held())
		}
	}
	a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowRST})
	if a.streams[c2s].memo != nil || a.streams[s2c].memo != nil {
		t.Error("a closed connection keeps its memos")
	}
}

// withoutMemosRun is run(steps, 0) with the streams' memos off.
func withoutMemosRun(steps []step) (a *Analyzer, out []lab.Message) {
	withoutMemos(func() []lab.Message { a, out = run(steps, 0); return out })
	return a, out
}

// TestMemoReadWhileFraming: messages framed from a memo are read (their
// fields built) on another goroutine while the analyzer frames more from
// the same memo, as the inspector and serve's log read what the analysis
// publishes (go test -race).
func TestMemoReadWhileFraming(t *testing.T) {
	req := []byte("GET /poll HTTP/1.1\r\nHost: lab.test\r\n\r\n")
	resp := []byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	a := NewAnalyzer()
	msgs := make(chan lab.Message, 64)
	done := make(chan error)
	go func() {
		var err error
		for m := range msgs {
			if fields, meaning := m.Detail(); len(fields) == 0 || meaning == "" {
				err = fmt.Errorf("%q: no fields or meaning", m.Summary)
			}
		}
		done <- err
	}()
	for range 200 {
		for _, m := range append(a.Feed(c2s, bytes.Clone(req), time.Time{}), a.Feed(s2c, bytes.Clone(resp), time.Time{})...) {
			msgs <- m
		}
	}
	close(msgs)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if a.streams[c2s].memo == nil {
		t.Fatal("no memo")
	}
}
