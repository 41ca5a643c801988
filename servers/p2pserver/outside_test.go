package p2pserver

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/lab"
)

// aiortcScript is an outside WebRTC peer, Python's aiortc: it joins the
// room "lab" through the signalling server (Python's websockets), offers
// the lab's answering peer a data channel, sends a line and prints the
// echo. aiortc gathers every candidate before the offer, as the lab's peers
// expect.
const aiortcScript = `
import asyncio, json, sys, websockets
from aiortc import RTCPeerConnection, RTCSessionDescription

async def answer_of(ws, kind):
    while True:
        m = json.loads(await ws.recv())
        if m["type"] == "error":
            sys.exit("signalling: " + m["error"])
        if m["type"] == kind:
            return m

async def main(url):
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps({"type": "join", "room": "lab", "peer": "aiortc"}))
        await answer_of(ws, "joined")
        pc = RTCPeerConnection()
        ch = pc.createDataChannel("chat")
        echo = asyncio.get_running_loop().create_future()
        ch.on("open", lambda: ch.send("hello from aiortc"))
        ch.on("message", lambda m: echo.done() or echo.set_result(m))
        await pc.setLocalDescription(await pc.createOffer())
        await ws.send(json.dumps({"type": "offer", "to": "lab-peer", "sdp": pc.localDescription.sdp}))
        m = await answer_of(ws, "answer")
        await pc.setRemoteDescription(RTCSessionDescription(sdp=m["sdp"], type="answer"))
        print("echo", await asyncio.wait_for(echo, 30), flush=True)
        await pc.close()

asyncio.run(main(sys.argv[1]))
`

// TestOutsideAiortc: an outside peer, Python's aiortc, calls the lab's
// answering peer through the lab's signalling and hears its echo; the lab
// shows the flow (server side only) with DTLS decrypted by the answering
// peer's keys, linked to aiortc's signalling conversation.
func TestOutsideAiortc(t *testing.T) {
	check := exec.Command("/usr/bin/python3", "-c", "import aiortc, websockets")
	if out, err := check.CombinedOutput(); err != nil {
		t.Skipf("outside peer: Python's aiortc is not usable (%s): install the Debian package python3-aiortc (scripts/setup)", strings.TrimSpace(lastLine(string(out))))
	}
	r := newRig(t, true)
	ap := NewAnsweringPeer(PeerOptions{Server: r.sig, Tap: r.flowTap})
	startPeer(t, ap)
	f := filepath.Join(t.TempDir(), "peer.py")
	os.WriteFile(f, []byte(aiortcScript), 0o600)
	cmd := exec.CommandContext(timeout(t, 60*time.Second), "/usr/bin/python3", f, r.signal)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "echo hello from aiortc") {
		t.Fatalf("aiortc: %v\n%s", err, out)
	}
	r.hub.Settle()
	var flow lab.ConvInfo
	for _, c := range r.hub.Conversations() {
		if c.Protocol == "webrtc" && c.Server == ap.Addr().String() {
			flow = c
		}
	}
	all := messages(r.hub, flow.ID)
	for _, want := range []string{"stun: Binding request", "dtls: ClientHello", "dtls: Finished", `sctp: DATA_CHANNEL_OPEN "chat"`} {
		if !contains(all, want) {
			t.Errorf("the flow has no %q:\n%s", want, strings.Join(all, "\n"))
		}
	}
	if flow.Link.Kind != lab.LinkSignal {
		t.Errorf("the flow's link = %+v, want aiortc's signalling", flow.Link)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestOutsidePeer: a WebRTC peer outside the lab (a pion peer with no tap,
// as a browser would be) calls the answering peer: the flow, seen from the
// lab's side only, is linked to the outside peer's signalling conversation
// as the signalling server saw it.
func TestOutsidePeer(t *testing.T) {
	r := newRig(t, true)
	ap := NewAnsweringPeer(PeerOptions{Server: r.sig, Tap: r.flowTap})
	startPeer(t, ap)
	ctx := timeout(t, 30*time.Second)
	sig, err := p2pclient.DialSignal(ctx, r.signal, p2pclient.SignalOptions{}) // not tapped
	if err != nil {
		t.Fatal(err)
	}
	defer sig.Close()
	if _, err := sig.Join(ctx, "lab", "browser", false); err != nil {
		t.Fatal(err)
	}
	p, err := p2pclient.New(p2pclient.Options{}) // not tapped
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ch, _ := p.OpenChannel("chat", p2pclient.ChannelOptions{})
	echo := make(chan string, 1)
	ch.OnMessage(func(m p2pclient.Message) { echo <- string(m.Data) })
	if err := p.Call(ctx, sig, "lab-peer"); err != nil {
		t.Fatal(err)
	}
	ch.WaitOpen(ctx)
	ch.SendText("from outside")
	if got := <-echo; got != "from outside" {
		t.Errorf("echo = %q", got)
	}
	parent := r.sig.ConversationOf("lab", "browser")
	r.hub.Settle()
	var flow lab.ConvInfo
	for _, c := range r.hub.Conversations() {
		if c.Protocol == "webrtc" && c.Server == ap.Addr().String() {
			flow = c
		}
	}
	if parent == 0 || flow.ClientSeen || !flow.ServerSeen || flow.Link.Kind != lab.LinkSignal || flow.Link.Parent != parent {
		t.Errorf("flow %+v; want seen by the server only, linked to the signalling conversation %d", flow, parent)
	}
}
