package whipserver

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/lab"
)

func timeout(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// startEcho serves a Handler whose peers echo, on 127.0.0.1, and returns
// the endpoint's URL.
func startEcho(t *testing.T, opts Options) (*Handler, string) {
	opts.NewPeer = func(string) (*p2pclient.Peer, error) {
		return p2pclient.New(p2pclient.Options{Side: lab.SideServer, Echo: true})
	}
	h := New(opts)
	mux := http.NewServeMux()
	mux.Handle(Path, h)
	mux.Handle(Path+"/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		srv.Close()
		h.Close()
	})
	return h, srv.URL + Path
}

// call connects a new pion peer through the endpoint with one channel, and
// returns the peer, the channel (open, its messages on the returned
// channel) and the session's URL.
func call(t *testing.T, ctx context.Context, endpoint string) (*p2pclient.Peer, *p2pclient.Channel, <-chan string, string) {
	t.Helper()
	p, err := p2pclient.New(p2pclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	ch, err := p.OpenChannel("echo", p2pclient.ChannelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 8)
	ch.OnMessage(func(m p2pclient.Message) { got <- string(m.Data) })
	session, err := Offer(ctx, nil, endpoint, p)
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.WaitOpen(ctx); err != nil {
		t.Fatal(err)
	}
	return p, ch, got, session
}

// TestWHIPEcho: a pion peer POSTs its offer, gets 201 with a Location under
// /whip/ and the answer, and every message comes back on its channel; DELETE
// ends the session and the peer sees its connection close.
func TestWHIPEcho(t *testing.T) {
	h, endpoint := startEcho(t, Options{})
	ctx := timeout(t, 30*time.Second)
	p, ch, got, session := call(t, ctx, endpoint)
	if !strings.Contains(session, Path+"/") {
		t.Errorf("session URL = %q, want one under %s/", session, Path)
	}
	for _, msg := range []string{"hello, lab", "second"} {
		if err := ch.SendText(msg); err != nil {
			t.Fatal(err)
		}
		select {
		case m := <-got:
			if m != msg {
				t.Errorf("echo = %q, want %q", m, msg)
			}
		case <-ctx.Done():
			t.Fatalf("no echo of %q", msg)
		}
	}
	if n := h.Sessions(); n != 1 {
		t.Errorf("Sessions = %d, want 1", n)
	}
	closed := chClosed(ch)
	if err := End(ctx, nil, session); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.Done():
	case <-closed:
	case <-ctx.Done():
		t.Fatal("the session ended, yet the peer's channel stays open")
	}
	if n := h.Sessions(); n != 0 {
		t.Errorf("Sessions after DELETE = %d, want 0", n)
	}
	if err := End(ctx, nil, session); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("a second DELETE = %v, want 404", err)
	}
}

// chClosed is closed once ch has ended.
func chClosed(ch *p2pclient.Channel) <-chan struct{} {
	done := make(chan struct{})
	ch.OnState(func(s string) {
		if s == "closed" {
			close(done)
		}
	})
	return done
}

// A data-channel offer with no candidates: enough for the checks before a
// peer is made.
const sdpNoMedia = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"

var refusals = []struct {
	name, method, path, ctype, body string
	code                            int
	says                            string
}{
	{"wrong content type", "POST", "", "text/plain", "v=0\r\n", 415, "application/sdp"},
	{"no content type", "POST", "", "", "v=0\r\n", 415, "application/sdp"},
	{"empty", "POST", "", "application/sdp", "", 400, "empty"},
	{"not SDP", "POST", "", "application/sdp", "hello", 400, "not SDP"},
	{"no data channel", "POST", "", "application/sdp", sdpNoMedia, 400, "m=application"},
	{"too large", "POST", "", "application/sdp", strings.Repeat("a=x\r\n", 20000), 413, "over"},
	{"GET", "GET", "", "", "", 405, "POST an SDP offer"},
	{"PATCH a session", "PATCH", "/abc", "application/trickle-ice-sdpfrag", "a=x", 405, "DELETE only"},
	{"DELETE no session", "DELETE", "/abc", "", "", 404, "no WHIP session"},
}

// TestWHIPRefusals: each bad request gets its status and a reason, and the
// endpoint answers the next offer.
func TestWHIPRefusals(t *testing.T) {
	_, endpoint := startEcho(t, Options{})
	for _, tt := range refusals {
		req, err := http.NewRequest(tt.method, endpoint+tt.path, strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		if tt.ctype != "" {
			req.Header.Set("Content-Type", tt.ctype)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.code || !strings.Contains(string(body), tt.says) {
			t.Errorf("%s: %d %q, want %d saying %q", tt.name, resp.StatusCode, body, tt.code, tt.says)
		}
	}
	ctx := timeout(t, 30*time.Second)
	call(t, ctx, endpoint)
}

// TestWHIPBusy: past MaxSessions an offer is answered 503, and a place
// freed by DELETE is taken again.
func TestWHIPBusy(t *testing.T) {
	_, endpoint := startEcho(t, Options{MaxSessions: 1})
	ctx := timeout(t, 30*time.Second)
	_, _, _, session := call(t, ctx, endpoint)
	p, err := p2pclient.New(p2pclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.OpenChannel("x", p2pclient.ChannelOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Offer(ctx, nil, endpoint, p); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("a second session = %v, want 503", err)
	}
	if err := End(ctx, nil, session); err != nil {
		t.Fatal(err)
	}
	call(t, ctx, endpoint)
}

// TestWHIPNeverConnects: an offerer that takes its answer and never
// connects loses its session after ConnectTimeout.
func TestWHIPNeverConnects(t *testing.T) {
	ended := make(chan struct{})
	_, endpoint := startEcho(t, Options{ConnectTimeout: 500 * time.Millisecond, OnSession: func(_ string, sp *p2pclient.Peer) {
		go func() {
			<-sp.Done()
			close(ended)
		}()
	}})
	ctx := timeout(t, 30*time.Second)
	p, err := p2pclient.New(p2pclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.OpenChannel("x", p2pclient.ChannelOptions{}); err != nil {
		t.Fatal(err)
	}
	offer, err := p.CreateOffer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p.Close() // gone before it could connect
	resp, err := http.Post(endpoint, "application/sdp", strings.NewReader(offer))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST = %s, want 201", resp.Status)
	}
	select {
	case <-ended:
	case <-ctx.Done():
		t.Fatal("the session that never connected was not ended")
	}
}

// FuzzCheckOffer: no body crashes the offer's checks.
func FuzzCheckOffer(f *testing.F) {
	f.Add(sdpNoMedia)
	f.Add(sdpNoMedia + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n")
	f.Add("hello")
	f.Fuzz(func(t *testing.T, sdp string) {
		checkOffer(sdp)
	})
}
