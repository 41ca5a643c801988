package h2

import (
	"context"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// script encodes steps for FuzzAnalyzer: each starts with a header byte whose bit
// 0 is the direction (0 client→server) and whose upper seven bits are the length,
// then its bytes.
func script(steps []step) []byte {
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
			if d = d[n:]; len(d) == 0 {
				break
			}
		}
	}
	return b
}

// capture runs a real net/http HTTP/2 server and client (cleartext, prior
// knowledge) through a hub's tap and returns the bytes each side wrote.
func capture(tb testing.TB) []step {
	tb.Helper()
	reg := &lab.Registry{}
	p := Protocol()
	reg.Register(p)
	hub := lab.NewHub(lab.HubOptions{Registry: reg})
	tap := hub.Tap(p)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var protos nethttp.Protocols
	protos.SetUnencryptedHTTP2(true)
	srv := &nethttp.Server{Protocols: &protos, Handler: nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		w.Header().Set("X-Got", fmt.Sprint(n))
		if r.URL.Path == "/gone" {
			w.WriteHeader(nethttp.StatusNotFound)
		}
		fmt.Fprintf(w, "%s %s", r.Method, strings.Repeat("z", 300))
	})}
	go srv.Serve(tap.Listener(l))
	defer srv.Close()
	tr := &nethttp.Transport{Protocols: &protos, DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return tap.Dial(ctx, network, addr)
	}}
	client := &nethttp.Client{Transport: tr}
	var wg sync.WaitGroup
	for i, path := range []string{"/", "/a", "/gone", "/b"} {
		wg.Go(func() {
			var resp *nethttp.Response
			var err error
			if i%2 == 0 {
				resp, err = client.Get("http://" + l.Addr().String() + path)
			} else {
				resp, err = client.Post("http://"+l.Addr().String()+path, "text/plain", strings.NewReader("body"))
			}
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	wg.Wait()
	tr.CloseIdleConnections()
	hub.Settle()
	var steps []step
	for _, e := range hub.Events(0) {
		// Both taps are in the lab: take the bytes as their writer saw them.
		if e.Kind == lab.KindData && e.Side.Outbound() == e.Dir {
			steps = append(steps, step{e.Dir, e.Data})
		}
	}
	return steps
}

// FuzzAnalyzer feeds random chunks in both directions, then closes the
// connection, and checks that the analyzer never panics, holds bounded memory,
// keeps each message's Raw within MaxKeptBytes and changes state only by the
// listed transitions.
func FuzzAnalyzer(f *testing.F) {
	f.Add(script(capture(f)))
	for _, tt := range analyzerTests {
		f.Add(script(tt.wire().steps))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a := NewAnalyzer()
		state := ""
		check := func(msgs []lab.Message, closing bool) {
			for _, m := range msgs {
				if m.Summary == "" || len(m.Raw) > MaxKeptBytes {
					t.Fatalf("message %q with %d raw bytes", m.Summary, len(m.Raw))
				}
				if m.NextState != "" {
					if !slices.Contains(Transitions, [2]string{state, m.NextState}) {
						t.Fatalf("%q → %q is not a transition", state, m.NextState)
					}
					state = m.NextState
				}
			}
			// Closing needs no message: the hub publishes the change it sees in State.
			if s := a.State(); s != state && !(closing && slices.Contains(Transitions, [2]string{state, s})) {
				t.Fatalf("State() = %q, but the messages said %q", s, state)
			}
		}
		for len(data) > 0 {
			h := data[0]
			n := min(int(h>>1), len(data)-1)
			dir := c2s
			if h&1 != 0 {
				dir = s2c
			}
			b := append([]byte(nil), data[1:1+n]...)
			data = data[1+n:]
			check(a.Feed(dir, b, time.Time{}), false)
			for _, d := range []lab.Dir{c2s, s2c} {
				if p := a.Pending(d); p > frameHeaderLen+maxBuffered+sniffMax+len(clientPreface) {
					t.Fatalf("pending %v = %d", d, p)
				}
			}
			if len(a.streams.byID) > MaxStreams {
				t.Fatalf("%d streams remembered", len(a.streams.byID))
			}
		}
		check(a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN}), true)
		if got := a.State(); got != StateClosed {
			t.Fatalf("State after close = %q", got)
		}
	})
}
