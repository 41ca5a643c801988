package inspector

import (
	"context"
	stdtls "crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	gws "github.com/gorilla/websocket"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/protocols/tcp"
	tlsproto "github.com/protocollab/protolab/protocols/tls"
	"github.com/protocollab/protolab/protocols/websocket"
)

// stateLab returns a hub whose registry holds TCP and p, an inspector of it, and
// a server certificate for 127.0.0.1 with a client config that trusts it and
// logs its keys to the hub.
func stateLab(t *testing.T, p *lab.Protocol) (*lab.Hub, *Inspector, stdtls.Certificate, *stdtls.Config) {
	t.Helper()
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	reg.Register(p)
	h := lab.NewHub(lab.HubOptions{Registry: reg})
	in := newTestInspector(t, h, reg)
	ca, err := labca.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Leaf("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return h, in, cert, &stdtls.Config{RootCAs: ca.Pool(), KeyLogWriter: h.Keys()}
}

// showEnded waits until p's conversation on h has ended and shows it.
func showEnded(t *testing.T, h *lab.Hub, in *Inspector, p *lab.Protocol) lab.ConvID {
	t.Helper()
	var id lab.ConvID
	for _, ci := range h.Conversations() {
		if ci.Protocol == p.Name {
			id = ci.ID
		}
	}
	if id == 0 {
		t.Fatalf("no %s conversation", p.Name)
	}
	showConv(t, h, in, id)
	return id
}

// showConv waits until conversation id has ended and its analysis caught up,
// and shows it.
func showConv(t *testing.T, h *lab.Hub, in *Inspector, id lab.ConvID) {
	t.Helper()
	waitEnded(t, h, id)
	h.Settle()
	in.Update()
	in.Select(id)
}

// litAfter selects each row whose message belongs to layer and returns its
// summary and the state lit then.
func litAfter(in *Inspector, layer string) (summaries, lit []string, rows []int) {
	for i := 0; i < in.rows(); i++ {
		e := in.row(i)
		if e.Msg == nil || e.Layer != layer {
			continue
		}
		in.selectMsg(i, fromList)
		summaries = append(summaries, e.Msg.Summary)
		lit = append(lit, in.state.Current())
		rows = append(rows, i)
	}
	return summaries, lit, rows
}

// checkLitIsNext checks that every message of layer that moves the state has
// its new state lit when selected.
func checkLitIsNext(t *testing.T, in *Inspector, layer string) {
	t.Helper()
	summaries, lit, rows := litAfter(in, layer)
	for k, i := range rows {
		next := in.row(i).Msg.NextState
		if next != "" && lit[k] != next {
			t.Errorf("with %q selected the diagram lights %q; the message moved the %s state to %q",
				summaries[k], lit[k], layer, next)
		}
	}
}

// TestStateLitAfterTLSHandshake runs a real HTTPS request through the lab and
// selects each TLS message in turn: the diagram lights the state the message
// moved the connection to, from the ClientHello on.
func TestStateLitAfterTLSHandshake(t *testing.T) {
	p := tlsproto.HTTPSProtocol()
	h, in, cert, client := stateLab(t, p)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		Handler:      http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "hello") }),
		TLSNextProto: map[string]func(*http.Server, *stdtls.Conn, http.Handler){},
	}
	go srv.Serve(stdtls.NewListener(h.Tap(p).Listener(l), &stdtls.Config{Certificates: []stdtls.Certificate{cert}}))
	defer srv.Close()
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return h.Tap(p).Dial(ctx, network, l.Addr().String())
		},
		TLSClientConfig: client,
	}
	resp, err := (&http.Client{Transport: tr}).Get("https://" + l.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	io.ReadAll(resp.Body)
	resp.Body.Close()
	tr.CloseIdleConnections()
	showEnded(t, h, in, p)

	layer := p.LayerName()
	summaries, lit, _ := litAfter(in, layer)
	want := map[string]string{"ClientHello": tlsproto.StateClientHello, "ServerHello": tlsproto.StateServerHello}
	seen := 0
	for k, s := range summaries {
		for prefix, state := range want {
			if strings.HasPrefix(s, prefix) {
				seen++
				if lit[k] != state {
					t.Errorf("with %q selected the diagram lights %q, want %q", s, lit[k], state)
				}
			}
		}
	}
	if seen < 2 {
		t.Fatalf("TLS messages %q: want a ClientHello and a ServerHello", summaries)
	}
	checkLitIsNext(t, in, layer)
	if len(lit) == 0 || lit[0] != tlsproto.StateClientHello {
		t.Errorf("states lit after each TLS message = %q, want client-hello first", lit)
	}
}

// TestStateLitAfterWebSocketUpgrade runs a real WebSocket through the lab:
// the upgrade request lights CONNECTING and the 101 response OPEN.
func TestStateLitAfterWebSocketUpgrade(t *testing.T) {
	p := websocket.Protocol()
	h, in, _, _ := stateLab(t, p)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var up gws.Upgrader
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		c.WriteMessage(gws.TextMessage, []byte("hi"))
		for err == nil { // until the client's close, which gorilla answers
			_, _, err = c.ReadMessage()
		}
	})}
	go srv.Serve(h.Tap(p).Listener(l))
	defer srv.Close()
	d := gws.Dialer{NetDialContext: h.Tap(p).Dial}
	c, _, err := d.Dial("ws://"+l.Addr().String()+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, b, err := c.ReadMessage(); err != nil || string(b) != "hi" {
		t.Fatalf("server's message %q, %v", b, err)
	}
	c.WriteMessage(gws.CloseMessage, gws.FormatCloseMessage(gws.CloseNormalClosure, ""))
	c.ReadMessage() // the server's close
	c.Close()
	showEnded(t, h, in, p)

	summaries, lit, _ := litAfter(in, websocket.Layer)
	if len(lit) < 2 || lit[0] != websocket.StateConnecting || lit[1] != websocket.StateOpen {
		t.Errorf("WebSocket messages %q light %q; want the upgrade request CONNECTING and the 101 OPEN", summaries, lit)
	}
	checkLitIsNext(t, in, websocket.Layer)
}

// TestStateTitleNamesTheSide checks that the TCP panel says whose states it
// shows: the client's when the client's tap is in the lab, else the server's;
// and that each segment lights the state it moved that endpoint to.
func TestStateTitleNamesTheSide(t *testing.T) {
	p := tcp.Protocol()
	reg := &lab.Registry{}
	reg.Register(p)
	h := lab.NewHub(lab.HubOptions{Registry: reg})
	in := newTestInspector(t, h, reg)
	addr := echoServer(t, h.Tap(p))

	id := exchange(t, h.Tap(p), addr, "hello")
	showConv(t, h, in, id)
	if got, want := in.stateTitle.Text, "TCP · client's states; the server's ringed where they differ"; got != want {
		t.Errorf("state title with the client in the lab = %q, want %q", got, want)
	}
	checkLitIsNext(t, in, p.LayerName())
	checkOtherEnd(t, in, lab.SideServer)

	// An outside client: only the server's tap sees the connection.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(c, "hello")
	io.ReadFull(c, make([]byte, 6))
	c.Close()
	var outside lab.ConvID // the server answered: its tap has the conversation
	for _, ci := range h.Conversations() {
		if ci.ID != id {
			outside = ci.ID
		}
	}
	if outside == 0 {
		t.Fatal("no conversation for the outside client")
	}
	showConv(t, h, in, outside)
	if got, want := in.stateTitle.Text, "TCP · server's states; the client's ringed where they differ"; got != want {
		t.Errorf("state title with only the server in the lab = %q, want %q", got, want)
	}
	checkLitIsNext(t, in, p.LayerName())
	checkOtherEnd(t, in, lab.SideClient)
}

// checkOtherEnd selects each TCP segment of the shown conversation in turn and
// checks that the diagram rings the state the segment left the other end in
// (its field lab.StateField(other)) wherever that differs from the lit one, and
// that the teardown has such a moment: one end closes first.
func checkOtherEnd(t *testing.T, in *Inspector, other lab.Side) {
	t.Helper()
	differed := false
	for i := range in.rows() {
		e := in.row(i)
		if e.Msg == nil || e.Layer != "tcp" {
			continue
		}
		want := ""
		for _, f := range e.Msg.Fields {
			if f.Name == lab.StateField(other) {
				want = f.Value
			}
		}
		if want == "" {
			continue
		}
		in.selectMsg(i, fromCode)
		if want == in.state.Current() {
			want = ""
		}
		if got := in.state.Other(); got != want {
			t.Errorf("with %q selected the %s's ringed state is %q, want %q", e.Msg.Summary, other, got, want)
		}
		differed = differed || want != ""
	}
	if !differed {
		t.Errorf("no segment left the two ends in different states; a teardown does")
	}
}
