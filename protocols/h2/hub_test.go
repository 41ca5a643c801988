package h2_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	nethttp "net/http"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/h2"
	"github.com/protocollab/protolab/protocols/tcp"
)

// h2cServer serves HTTP/2 with prior knowledge (and HTTP/1.1) on 127.0.0.1:0
// through a tap of a hub that knows TCP and HTTP/2, until the test ends.
func h2cServer(t *testing.T) (*lab.Hub, *lab.Tap, string) {
	t.Helper()
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	p := h2.Protocol()
	reg.Register(p)
	hub := lab.NewHub(lab.HubOptions{Registry: reg})
	tap := hub.Tap(p)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := nethttp.NewServeMux()
	mux.HandleFunc("/echo", func(w nethttp.ResponseWriter, r *nethttp.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "hello %s", r.URL.Query().Get("i"))
	})
	mux.HandleFunc("/big", func(w nethttp.ResponseWriter, r *nethttp.Request) {
		w.Write(bytes.Repeat([]byte("h2"), 1500))
	})
	mux.HandleFunc("/upload", func(w nethttp.ResponseWriter, r *nethttp.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		w.WriteHeader(nethttp.StatusCreated)
		fmt.Fprintf(w, "%d", n)
	})
	var protos nethttp.Protocols
	protos.SetHTTP1(true)
	protos.SetUnencryptedHTTP2(true)
	srv := &nethttp.Server{Handler: mux, Protocols: &protos}
	go srv.Serve(tap.Listener(l))
	t.Cleanup(func() { srv.Close() })
	return hub, tap, l.Addr().String()
}

// h2Messages returns the HTTP/2 layer's messages, "→ summary" or "← summary", of
// conversation conv (every conversation if 0).
func h2Messages(hub *lab.Hub, conv lab.ConvID) (msgs []*lab.Message, lines []string) {
	for _, e := range hub.Events(0) {
		if (e.Kind == lab.KindMessage || e.Kind == lab.KindHandshake) && e.Layer == "h2" && (conv == 0 || e.Conv == conv) {
			msgs = append(msgs, e.Msg)
			lines = append(lines, e.Dir.Arrow()+" "+e.Msg.Summary)
		}
	}
	return msgs, lines
}

// h2Conversations returns the IDs of the HTTP/2 conversations.
func h2Conversations(hub *lab.Hub) []lab.ConvID {
	var ids []lab.ConvID
	for _, ci := range hub.Conversations() {
		if ci.Protocol == "h2" {
			ids = append(ids, ci.ID)
		}
	}
	return ids
}

// waitEnded waits until every conversation of hub has ended.
func waitEnded(t *testing.T, hub *lab.Hub) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		live := 0
		for _, ci := range hub.Conversations() {
			if ci.Live {
				live++
			}
		}
		if live == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d conversations still live after 5 s", live)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestHubGoClient sends several concurrent requests from Go's HTTP/2 client over
// one cleartext connection and checks what the analyzer made of the bytes.
func TestHubGoClient(t *testing.T) {
	hub, tap, addr := h2cServer(t)
	var protos nethttp.Protocols
	protos.SetUnencryptedHTTP2(true)
	tr := &nethttp.Transport{Protocols: &protos, DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return tap.Dial(ctx, network, addr)
	}}
	client := &nethttp.Client{Transport: tr}
	get := func(path string) error {
		resp, err := client.Get("http://" + addr + path)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.ProtoMajor != 2 {
			return fmt.Errorf("GET %s: protocol %s, want HTTP/2", path, resp.Proto)
		}
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	// The first request makes the connection; the next ones share it.
	if err := get("/echo?i=0"); err != nil {
		t.Fatal(err)
	}
	const n = 6
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 1; i <= n; i++ {
		path := fmt.Sprintf("/echo?i=%d", i)
		if i%2 == 0 {
			path = fmt.Sprintf("/big?i=%d", i)
		}
		wg.Go(func() { errs <- get(path) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	resp, err := client.Post("http://"+addr+"/upload", "text/plain", strings.NewReader(strings.Repeat("x", 2000)))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	tr.CloseIdleConnections()
	hub.Settle()

	if got := len(h2Conversations(hub)); got != 1 {
		t.Errorf("conversations = %d, want 1: HTTP/2 sends every request over one connection", got)
	}
	msgs, lines := h2Messages(hub, 0)
	if testing.Verbose() {
		t.Logf("messages:\n%s", strings.Join(lines, "\n"))
	}
	checkHandshake(t, msgs, lines)

	// Each request: HEADERS out with its method and path, HEADERS back with
	// :status, DATA back with END_STREAM, all on the request's own stream.
	streams := map[string]string{} // path → stream id
	reqRE := regexp.MustCompile(`^→ HEADERS stream (\d+): (GET|POST) http://` + regexp.QuoteMeta(addr) + `(/\S+)`)
	for _, l := range lines {
		if m := reqRE.FindStringSubmatch(l); m != nil {
			if _, dup := streams[m[3]]; dup {
				t.Errorf("%s requested twice", m[3])
			}
			streams[m[3]] = m[1]
		}
	}
	if len(streams) != n+2 {
		t.Fatalf("requests seen = %d (%v), want %d", len(streams), streams, n+2)
	}
	ids := map[string]bool{}
	for path, id := range streams {
		if ids[id] {
			t.Errorf("stream %s used twice", id)
		}
		ids[id] = true
		method, status := "GET", "200 OK"
		if path == "/upload" {
			method, status = "POST", "201 Created"
		}
		for _, want := range []string{
			"← HEADERS stream " + id + ": " + status,
			"← DATA stream " + id + " (response to " + method + " " + path + "): ",
			"stream " + id + ": " + method + " " + path,
		} {
			if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, want) }) {
				t.Errorf("no message %q", want)
			}
		}
		end := false
		for _, l := range lines {
			if strings.HasPrefix(l, "← DATA stream "+id+" ") && strings.HasSuffix(l, "(END_STREAM)") ||
				strings.HasPrefix(l, "← HEADERS stream "+id+": ") && strings.HasSuffix(l, "(END_STREAM)") {
				end = true
			}
		}
		if !end {
			t.Errorf("stream %s (%s): no END_STREAM from the server", id, path)
		}
	}
	for _, want := range []string{
		"→ HEADERS stream " + streams["/echo?i=1"] + ": GET http://" + addr + "/echo?i=1 (END_STREAM)",
		"← DATA stream " + streams["/big?i=2"] + " (response to GET /big?i=2): ",
		"→ DATA stream " + streams["/upload"] + " (body of POST /upload): ",
		"stream " + streams["/big?i=4"] + ": GET /big?i=4 → 200 OK, 2.9 KiB body",
		"stream " + streams["/upload"] + ": POST /upload with 2 KiB → 201 Created, 4 B body",
	} {
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, want) }) {
			t.Errorf("no message %q", want)
		}
	}
	checkStates(t, hub)
}

// TestHubCurl does the same with curl --http2-prior-knowledge, whose side of the
// connection is outside the lab: the server's tap sees both directions. (curl 7.88
// fails to reuse a prior-knowledge connection for a second request, so each curl
// makes one request; TestHubGoClient shows many streams on one connection.)
func TestHubCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed (apt package curl)")
	}
	if out, err := exec.Command(curl, "--version").Output(); err != nil || !bytes.Contains(out, []byte("HTTP2")) {
		t.Skip("this curl has no HTTP/2 support (needs libnghttp2)")
	}
	hub, _, addr := h2cServer(t)
	for _, args := range [][]string{
		{"http://" + addr + "/echo?i=1"},
		{"--data-binary", strings.Repeat("y", 1000), "http://" + addr + "/upload"},
	} {
		args = append([]string{"-sS", "--http2-prior-knowledge", "-o", "/dev/null"}, args...)
		if out, err := exec.Command(curl, args...).CombinedOutput(); err != nil {
			t.Fatalf("curl %q: %v\n%s", args, err, out)
		}
	}
	// curl has exited, but the server may not yet have read the end of its
	// connections: wait for both to end before looking at their last states.
	waitEnded(t, hub)
	hub.Settle()
	convs := h2Conversations(hub)
	if len(convs) != 2 {
		t.Fatalf("conversations = %d, want 2", len(convs))
	}
	for _, c := range convs {
		msgs, lines := h2Messages(hub, c)
		checkHandshake(t, msgs, lines)
	}
	_, lines := h2Messages(hub, 0)
	if testing.Verbose() {
		t.Logf("messages:\n%s", strings.Join(lines, "\n"))
	}
	for _, want := range []string{
		"→ HEADERS stream 1: GET http://" + addr + "/echo?i=1 (END_STREAM)",
		"← HEADERS stream 1: 200 OK",
		"← DATA stream 1 (response to GET /echo?i=1): 7 B (END_STREAM)",
		"← stream 1: GET /echo?i=1 → 200 OK, 7 B body",
		"→ HEADERS stream 1: POST http://" + addr + "/upload",
		"→ DATA stream 1 (body of POST /upload): 1000 B (END_STREAM)",
		"← HEADERS stream 1: 201 Created",
		"← stream 1: POST /upload with 1000 B → 201 Created, 4 B body",
	} {
		if !slices.Contains(lines, want) {
			t.Errorf("no message %q", want)
		}
	}
	checkStates(t, hub)
}

// checkHandshake checks the preface and the SETTINGS exchange.
func checkHandshake(t *testing.T, msgs []*lab.Message, lines []string) {
	t.Helper()
	if len(msgs) == 0 || lines[0] != "→ connection preface (PRI * HTTP/2.0)" && lines[1] != "→ connection preface (PRI * HTTP/2.0)" {
		t.Fatalf("no preface among the first messages: %q", lines[:min(len(lines), 3)])
	}
	var handshake []string
	for i, m := range msgs {
		if m.Handshake {
			handshake = append(handshake, lines[i])
		}
	}
	if len(handshake) != 5 {
		t.Errorf("handshake messages = %q, want the preface, two SETTINGS and two ACKs", handshake)
	}
	for _, want := range []string{"→ connection preface", "→ SETTINGS", "← SETTINGS", "→ SETTINGS ACK", "← SETTINGS ACK"} {
		if !slices.ContainsFunc(handshake, func(l string) bool { return strings.HasPrefix(l, want) }) {
			t.Errorf("no handshake message %q in %q", want, handshake)
		}
	}
}

// checkStates checks that the connection went through the preface and the
// settings exchange to open, by listed transitions only.
func checkStates(t *testing.T, hub *lab.Hub) {
	t.Helper()
	var path []string
	for _, e := range hub.Events(0) {
		if e.Kind == lab.KindState && e.Layer == "h2" {
			if !slices.Contains(h2.Transitions, [2]string{e.From, e.To}) {
				t.Errorf("state change %q → %q is not a transition", e.From, e.To)
			}
			path = append(path, e.To)
		}
	}
	if !slices.Contains(path, h2.StateOpen) || path[len(path)-1] != h2.StateClosed {
		t.Errorf("states = %q, want open ... closed", path)
	}
}
