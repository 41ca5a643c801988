package wsserver

import (
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/protocollab/protolab/clients/wsclient"
	"github.com/protocollab/protolab/lab"
	httpproto "github.com/protocollab/protolab/protocols/http"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/protocols/websocket"
)

// TestHub runs our client against our server, both tapped, and checks what the
// analyzer made of the bytes: the upgrade, the 101 with its accept checked, the
// frames with their masks, and the states.
func TestHub(t *testing.T) {
	hub, tap := testHub()
	_, base := testServer(t, Options{Tap: tap})
	c := dial(t, base+"/ws/echo", wsclient.Options{Tap: tap, Subprotocols: []string{"echo"}})
	c.SendText("hello")
	next(t, c)
	c.SendBinary([]byte{1, 2, 3})
	next(t, c)
	c.Ping([]byte("hb"))
	next(t, c)
	c.Close(1000, "bye")
	hub.Settle()

	var msgs, states []string
	var accept, mask string
	for _, e := range hub.Events(0) {
		if e.Conv != c.Conversation() || e.Layer != websocket.Layer {
			continue
		}
		switch e.Kind {
		case lab.KindMessage, lab.KindHandshake:
			msgs = append(msgs, e.Dir.Arrow()+" "+e.Msg.Summary)
			fields, _ := e.Msg.Detail() // built when asked, as the inspector asks
			for _, f := range fields {
				switch {
				case f.Name == "accept check":
					accept = f.Value
				case f.Name == "MASK" && e.Dir == lab.ClientToServer && strings.HasPrefix(e.Msg.Summary, "text"):
					mask = f.Value
				}
			}
		case lab.KindState:
			states = append(states, e.To)
		}
	}
	want := []string{
		"→ GET /ws/echo HTTP/1.1 (WebSocket upgrade)",
		"← 101 Switching Protocols (WebSocket, accept ✓)",
		`→ text "hello"`, `← text "hello"`,
		"→ binary 3 bytes", "← binary 3 bytes",
		`→ ping "hb"`, `← pong "hb"`,
		`→ close 1000 normal closure "bye"`, "← close 1000 normal closure",
	}
	if got := strings.Join(msgs, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("messages:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	if !strings.HasPrefix(accept, "✓ matches") {
		t.Errorf("accept check = %q", accept)
	}
	if mask != "1 (the payload is masked)" {
		t.Errorf("client's MASK = %q", mask)
	}
	if got, want := strings.Join(states, " → "), "CONNECTING → OPEN → CLOSING → CLOSED"; got != want {
		t.Errorf("states %s, want %s", got, want)
	}
}

// TestHTTPHook mounts the Handler on a plain net/http server tapped as "http" with
// websocket.NewHTTPAnalyzer, the way the lab's HTTP server offers /ws/: the frames
// after the upgrade appear in Layer "ws".
func TestHTTPHook(t *testing.T) {
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	p := httpproto.Protocol()
	p.NewAnalyzer = func() lab.Analyzer { return websocket.NewHTTPAnalyzer() }
	reg.Register(p)
	hub := lab.NewHub(lab.HubOptions{Registry: reg})
	tap := hub.Tap(p)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/ws/", Handler(Options{}))
	srv := &http.Server{Handler: mux}
	go srv.Serve(tap.Listener(l))
	defer srv.Close()

	c := dial(t, "ws://"+l.Addr().String()+"/ws/chat", wsclient.Options{Tap: tap})
	c.SendText("hi room")
	next(t, c)
	c.Close(1001, "")
	hub.Settle()

	var ws, httpMsgs, states []string
	for _, e := range hub.Events(0) {
		switch {
		case (e.Kind == lab.KindMessage || e.Kind == lab.KindHandshake) && e.Layer == "ws":
			ws = append(ws, e.Dir.Arrow()+" "+e.Msg.Summary)
		case e.Kind == lab.KindMessage && e.Layer == "http":
			httpMsgs = append(httpMsgs, e.Msg.Summary)
		case e.Kind == lab.KindState && e.Layer == "ws":
			states = append(states, e.To)
		}
	}
	want := []string{
		"→ GET /ws/chat HTTP/1.1 (WebSocket upgrade)",
		"← 101 Switching Protocols (WebSocket, accept ✓)",
		`→ text "hi room"`, `← text "hi room"`,
		"→ close 1001 going away", "← close 1001 going away",
	}
	if got := strings.Join(ws, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("ws messages:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	if len(httpMsgs) != 0 {
		t.Errorf("http-layer messages %q, want none: the handshake belongs to ws", httpMsgs)
	}
	if !slices.Equal(states, []string{"CONNECTING", "OPEN", "CLOSING", "CLOSED"}) {
		t.Errorf("ws states %v", states)
	}
}
