package inspector

import (
	"bufio"
	"encoding/hex"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/udp"
	"github.com/protocollab/protolab/protocols/webrtc"
)

// webrtcFlow replays the WebRTC flow saved by protocols/webrtc's TestPeers —
// two pion peers' STUN checks, DTLS handshake and SCTP data channel — over
// real loopback sockets, the answering side's tapped, with the peers' keys.
func webrtcFlow(t *testing.T) (*lab.Hub, *lab.Registry) {
	t.Helper()
	reg := &lab.Registry{}
	reg.Register(udp.Protocol())
	p := webrtc.Protocol()
	reg.Register(p)
	h := lab.NewHub(lab.HubOptions{Registry: reg})
	keys, err := os.ReadFile("../../../protocols/webrtc/testdata/peers.keys")
	if err != nil {
		t.Fatal(err)
	}
	h.Keys().Load(string(keys))
	f, err := os.Open("../../../protocols/webrtc/testdata/peers.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	raw, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := h.Tap(p).PacketConn(raw, lab.SideServer)
	defer srv.Close()
	cli, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	buf := make([]byte, 1<<16)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		dir, data, ok := strings.Cut(sc.Text(), " ")
		if !ok || (dir != "<" && dir != ">") {
			continue
		}
		b, err := hex.DecodeString(data)
		if err != nil {
			t.Fatal(err)
		}
		if dir == "<" { // the offerer's, to the tapped side
			cli.WriteTo(b, raw.LocalAddr())
			srv.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, _, err := srv.ReadFrom(buf); err != nil {
				t.Fatal(err)
			}
		} else {
			if _, err := srv.WriteTo(b, cli.LocalAddr()); err != nil {
				t.Fatal(err)
			}
			cli.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, _, err := cli.ReadFrom(buf); err != nil {
				t.Fatal(err)
			}
		}
	}
	lab.EndFlow(srv, cli.LocalAddr(), "the replay is over")
	return h, reg
}

// TestInspectorFollowsAFlowsLayers: a WebRTC flow has no session machine of
// its own; the state diagram shows its first layer's (ICE, by STUN), then
// the layer of each message selected: DTLS's handshake states, SCTP's.
func TestInspectorFollowsAFlowsLayers(t *testing.T) {
	h, reg := webrtcFlow(t)
	in := newTestInspector(t, h, reg)
	var id lab.ConvID
	for _, ci := range h.Conversations() {
		if ci.Protocol == webrtc.Name {
			id = ci.ID
		}
	}
	if id == 0 {
		t.Fatal("no WebRTC conversation")
	}
	showConv(t, h, in, id)
	if !strings.HasPrefix(in.stateTitle.Text, "STUN state") || len(in.state.States()) == 0 {
		t.Fatalf("with no message selected: title %q, states %q; want STUN's", in.stateTitle.Text, in.state.States())
	}
	for _, c := range []struct {
		layer, title, lit string
	}{
		{"dtls", "DTLS state", ""},
		{"sctp", "SCTP state", ""},
		{"stun", "STUN state", ""},
	} {
		summaries, lit, rows := litAfter(in, c.layer)
		if len(rows) == 0 {
			t.Fatalf("no %s message in the flow", c.layer)
		}
		in.selectMsg(rows[len(rows)-1], fromList)
		if !strings.HasPrefix(in.stateTitle.Text, c.title) {
			t.Errorf("%s message %q selected: title %q, want %q", c.layer, summaries[len(summaries)-1], in.stateTitle.Text, c.title)
		}
		states, _ := in.layerMachine(c.layer)
		if got := in.state.States(); strings.Join(got, ",") != strings.Join(states, ",") {
			t.Errorf("%s selected: states %q, want the layer's %q", c.layer, got, states)
		}
		if last := lit[len(lit)-1]; last == "" {
			t.Errorf("%s selected: no state lit (lit along the way: %q)", c.layer, lit)
		}
	}
}
