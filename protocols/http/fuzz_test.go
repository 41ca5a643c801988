package http

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// script encodes steps for FuzzHTTPAnalyzer: each starts with a header byte whose
// bit 0 is the direction (0 client→server) and whose upper seven bits are the
// length, then its bytes.
func script(steps ...step) []byte {
	var b []byte
	for _, s := range steps {
		for d := s.data; ; {
			n := min(len(d), 127)
			h := byte(n << 1)
			if s.dir == s2c {
				h |= 1
			}
			b = append(b, h)
			b = append(b, d[:n]...)
			if d = d[n:]; d == "" {
				break
			}
		}
	}
	return b
}

// FuzzHTTPAnalyzer feeds random chunks in both directions, then closes the
// connection, and checks that the analyzer never panics, holds bounded memory and
// keeps each message's Raw within MaxKeptBytes.
func FuzzHTTPAnalyzer(f *testing.F) {
	for _, tt := range framingTests {
		f.Add(script(tt.steps...), false)
	}
	f.Add(script(step{c2s, "GET / HTTP/1.1\r\n\r\n"}, step{s2c, "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello"}), true)
	f.Add(script(step{c2s, "\r\n\r\nPUT /x HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"}, step{s2c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxyz"}), true)
	f.Fuzz(func(t *testing.T, data []byte, reset bool) {
		out := feedScript(t, data, reset)
		for _, m := range out {
			if len(m.Raw) > MaxKeptBytes || m.Summary == "" {
				t.Fatalf("message %q with %d raw bytes", m.Summary, len(m.Raw))
			}
		}
		// Three times over, so that heads repeat (a memo is made the second
		// time, and used from the third): what the memos make is what parsing
		// every head makes.
		thrice := bytes.Repeat(data, 3)
		sameMessages(t, feedScript(t, thrice, reset), withoutMemos(func() []lab.Message { return feedScript(t, thrice, reset) }))
	})
}

// withoutMemos runs f with the streams' memos off.
func withoutMemos(f func() []lab.Message) []lab.Message {
	memoize = false
	defer func() { memoize = true }()
	return f()
}

// sameMessages fails unless got and want are the same messages, their
// fields and meanings built.
func sameMessages(t *testing.T, got, want []lab.Message) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d messages, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		gf, gm := g.Detail()
		wf, wm := w.Detail()
		if g.Summary != w.Summary || g.Ref != w.Ref || g.Dir != w.Dir || g.Role != w.Role || g.NextState != w.NextState ||
			g.Layer != w.Layer || !bytes.Equal(g.Raw, w.Raw) || gm != wm || !reflect.DeepEqual(gf, wf) {
			t.Fatalf("message %d:\n got %q %q %v\nwant %q %q %v", i, g.Summary, gm, gf, w.Summary, wm, wf)
		}
	}
}

// feedScript feeds a script (see script) to a new analyzer, closes the
// connection (reset: with a reset, else with FINs) and returns the messages,
// checking on the way that the analyzer's pending bytes stay bounded and that
// it ends closed.
func feedScript(t *testing.T, data []byte, reset bool) []lab.Message {
	t.Helper()
	a := NewAnalyzer()
	a.Opened(lab.OpenInfo{})
	var out []lab.Message
	analyzertest.Play(a, data, func(msgs []lab.Message) {
		out = append(out, msgs...)
		for _, d := range []lab.Dir{c2s, s2c} {
			if p := a.Pending(d); p > MaxHeadBytes+MaxKeptBytes+maxLine+1 {
				t.Fatalf("pending %v = %d", d, p)
			}
		}
		_ = a.State()
	})
	if reset {
		out = append(out, a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowRST})...)
	} else {
		out = append(out, a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN})...)
		out = append(out, a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN})...)
	}
	if got := a.State(); got != StateClosed {
		t.Fatalf("State after close = %q", got)
	}
	return out
}
