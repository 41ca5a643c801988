package whipserver_test

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/lab"
	httpproto "github.com/protocollab/protolab/protocols/http"
	"github.com/protocollab/protolab/protocols/p2p"
	"github.com/protocollab/protolab/protocols/stun"
	"github.com/protocollab/protolab/protocols/webrtc"
	"github.com/protocollab/protolab/servers/httpserver"
	"github.com/protocollab/protolab/servers/p2pserver"
	"github.com/protocollab/protolab/servers/whipserver"
)

// labBench is a bench with the HTTP server and the P2P server's parts, each
// on a free port, the HTTP server started.
func labBench(t *testing.T) *lab.Bench {
	reg := &lab.Registry{}
	reg.RegisterModules(
		lab.Module{Protocol: httpproto.Protocol(), Server: &httpserver.Module},
		lab.Module{Protocol: p2p.Protocol(), Server: &p2pserver.Module},
		lab.Module{Protocol: stun.Protocol(), Server: &p2pserver.STUNModule},
		lab.Module{Protocol: webrtc.Protocol(), Server: &p2pserver.PeerModule},
	)
	b := lab.NewBench(lab.NewHub(lab.HubOptions{Registry: reg}), reg)
	for _, n := range reg.Names() {
		b.SetPort(n, 0)
	}
	t.Cleanup(b.StopAll)
	if err := b.Start(httpproto.Name); err != nil {
		t.Fatal(err)
	}
	return b
}

func startP2P(t *testing.T, b *lab.Bench) {
	if errs := b.StartAll(b.Registry().WithParts(p2p.Name)...); len(errs) > 0 {
		t.Fatal(errs)
	}
}

func timeout(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// flowOf is the captured flow of the answering peer with the outside peer
// at addr, 0 if there is none.
func flowOf(hub *lab.Hub, addr string) lab.ConvID {
	for _, ci := range hub.Conversations() {
		if ci.Protocol == webrtc.Name && ci.Datagram && (ci.Client == addr || ci.Server == addr) {
			return ci.ID
		}
	}
	return 0
}

// layers returns "layer: summary" of every message of conv.
func layers(hub *lab.Hub, conv lab.ConvID) string {
	var out []string
	for _, e := range hub.ConvEvents(conv) {
		if e.Kind == lab.KindMessage || e.Kind == lab.KindHandshake {
			out = append(out, e.Layer+": "+e.Msg.Summary)
		}
	}
	return strings.Join(out, "\n")
}

// wantLayers checks that the flow shows STUN's checks, the DTLS handshake,
// SCTP's and the data channel's opening, and the message sent.
func wantLayers(t *testing.T, hub *lab.Hub, conv lab.ConvID, msg string) {
	t.Helper()
	hub.Settle()
	all := layers(hub, conv)
	for _, want := range []string{"stun: Binding request", "dtls: ClientHello", "sctp: INIT", "sctp: COOKIE-ECHO", "sctp: DATA_CHANNEL_OPEN", msg} {
		if !strings.Contains(all, want) {
			t.Errorf("the flow has no %q:\n%s", want, all)
		}
	}
}

// TestLabWHIP: the lab's HTTP server answers a WHIP offer 503 while the P2P
// server is stopped, then with the lab's answering peer, which echoes; the
// flow is captured whole on the answering peer's socket.
func TestLabWHIP(t *testing.T) {
	b := labBench(t)
	endpoint := "http://" + b.Addr(httpproto.Name) + whipserver.Path
	ctx := timeout(t, 30*time.Second)
	early, p := outside(t), outside(t)
	if _, err := whipserver.Offer(ctx, nil, endpoint, early); err == nil || !strings.Contains(err.Error(), "503") || !strings.Contains(err.Error(), "start the p2p server") {
		t.Errorf("an offer with the P2P server stopped: %v, want 503 saying to start it", err)
	}
	startP2P(t, b)
	ch := p.Channels()[0]
	got := make(chan string, 1)
	ch.OnMessage(func(m p2pclient.Message) { got <- string(m.Data) })
	session, err := whipserver.Offer(ctx, nil, endpoint, p)
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.WaitOpen(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ch.SendText("hello through WHIP"); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != "hello through WHIP" {
			t.Errorf("echo = %q", s)
		}
	case <-ctx.Done():
		t.Fatal("no echo")
	}
	if h := whipserver.LabEndpoint(b); h == nil || len(h.Peers()) != 1 {
		t.Errorf("LabEndpoint = %v, want the endpoint with one session", h)
	}
	if err := whipserver.End(ctx, nil, session); err != nil {
		t.Fatal(err)
	}
	flow := flowOf(b.Hub(), p.Addr().String())
	if flow == 0 {
		t.Fatal("no captured flow of the outside peer")
	}
	wantLayers(t, b.Hub(), flow, `"hello through WHIP"`)
	link := b.Hub().Conversation(flow).Info(false).Link
	if parent := b.Hub().Conversation(link.Parent); link.Kind != lab.LinkSignal || parent == nil || parent.Info(false).Protocol != httpproto.Name {
		t.Errorf("the flow's link = %+v, want a signal link to the POST's HTTP conversation", link)
	}
}

// outside is an outside peer (not captured) with a channel "echo".
func outside(t *testing.T) *p2pclient.Peer {
	p, err := p2pclient.New(p2pclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	if _, err := p.OpenChannel("echo", p2pclient.ChannelOptions{}); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestLabWHIPAiortc: Python's aiortc, an outside WebRTC stack, reaches the
// lab's answering peer through WHIP and gets its message echoed; the lab
// captures the flow.
func TestLabWHIPAiortc(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import aiortc").Run(); err != nil {
		t.Skip("Python's aiortc is missing: install the Debian package python3-aiortc")
	}
	b := labBench(t)
	startP2P(t, b)
	endpoint := "http://" + b.Addr(httpproto.Name) + whipserver.Path
	ctx := timeout(t, 60*time.Second)
	out, err := exec.CommandContext(ctx, "/usr/bin/python3", "testdata/whip_echo.py", endpoint, "hello from aiortc").CombinedOutput()
	if testing.Verbose() {
		t.Logf("aiortc:\n%s", out)
	}
	if err != nil || !strings.Contains(string(out), "echo: hello from aiortc") || !strings.Contains(string(out), "DELETE: 200") {
		t.Fatalf("aiortc: %v\n%s", err, out)
	}
	hub := b.Hub()
	hub.Settle()
	var flow lab.ConvID
	for _, ci := range hub.Conversations() {
		if ci.Protocol == webrtc.Name && ci.Datagram && strings.Contains(layers(hub, ci.ID), "hello from aiortc") {
			flow = ci.ID
		}
	}
	if flow == 0 {
		t.Fatal("no captured flow with aiortc's message")
	}
	wantLayers(t, hub, flow, `"hello from aiortc"`)
}
