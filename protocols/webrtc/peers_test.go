package webrtc_test

import (
	"flag"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	pion "github.com/pion/webrtc/v4"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
	"github.com/protocollab/protolab/protocols/stun"
	"github.com/protocollab/protolab/protocols/webrtc"
)

// peer is one pion peer whose only socket is a tapped UDP socket on loopback.
func peer(t *testing.T, tap *lab.Tap, side lab.Side, keys *lab.KeyLog) *pion.PeerConnection {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := ice.NewUDPMuxDefault(ice.UDPMuxParams{UDPConn: tap.PacketConn(pc, side)})
	t.Cleanup(func() { mux.Close() })
	var se pion.SettingEngine
	se.SetICEUDPMux(mux)
	se.SetNetworkTypes([]pion.NetworkType{pion.NetworkTypeUDP4})
	se.SetIncludeLoopbackCandidate(true)
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	if keys != nil {
		se.SetDTLSKeyLogWriter(keys)
	}
	api := pion.NewAPI(pion.WithSettingEngine(se))
	p, err := api.NewPeerConnection(pion.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// signal runs the offer/answer exchange in process, candidates gathered first.
func signal(t *testing.T, offerer, answerer *pion.PeerConnection, keys *lab.KeyLog) {
	t.Helper()
	offer, err := offerer.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	done := pion.GatheringCompletePromise(offerer)
	if err := offerer.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	<-done
	logPassword(keys, offerer)
	if err := answerer.SetRemoteDescription(*offerer.LocalDescription()); err != nil {
		t.Fatal(err)
	}
	answer, err := answerer.CreateAnswer(nil)
	if err != nil {
		t.Fatal(err)
	}
	done = pion.GatheringCompletePromise(answerer)
	if err := answerer.SetLocalDescription(answer); err != nil {
		t.Fatal(err)
	}
	<-done
	logPassword(keys, answerer)
	if err := offerer.SetRemoteDescription(*answerer.LocalDescription()); err != nil {
		t.Fatal(err)
	}
}

// logPassword logs p's ICE password, from its SDP, as the lab's peers will, so
// the analyzer checks MESSAGE-INTEGRITY: before p's description leaves it, so
// before any check signed with it.
func logPassword(keys *lab.KeyLog, p *pion.PeerConnection) {
	if keys == nil {
		return
	}
	var ufrag, pwd string
	for _, line := range strings.Split(p.LocalDescription().SDP, "\n") {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, "a=ice-ufrag:"); ok {
			ufrag = v
		}
		if v, ok := strings.CutPrefix(line, "a=ice-pwd:"); ok {
			pwd = v
		}
	}
	keys.Write([]byte(stun.KeyLogLine(ufrag, pwd)))
}

// talk opens a channel "chat" from a to b, sends "hello" both ways and closes.
func talk(t *testing.T, hub *lab.Hub, keys *lab.KeyLog) {
	reg := hub.Registry()
	tap := hub.Tap(reg.Lookup(webrtc.Name))
	a := peer(t, tap, lab.SideClient, keys)
	b := peer(t, tap, lab.SideServer, keys)

	got := make(chan string, 2)
	b.OnDataChannel(func(dc *pion.DataChannel) {
		dc.OnMessage(func(m pion.DataChannelMessage) {
			got <- "b got " + string(m.Data)
			dc.SendText("hello")
		})
	})
	dc, err := a.CreateDataChannel("chat", nil)
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	dc.OnOpen(func() { once.Do(func() { dc.SendText("hello") }) })
	dc.OnMessage(func(m pion.DataChannelMessage) { got <- "a got " + string(m.Data) })
	signal(t, a, b, keys)
	for range 2 {
		select {
		case s := <-got:
			t.Log(s)
		case <-time.After(20 * time.Second):
			t.Fatal("no hello within 20 s")
		}
	}
	dc.Close()
	a.Close()
	b.Close()
	hub.Settle()
}

func newHub() *lab.Hub {
	reg := &lab.Registry{}
	reg.Register(webrtc.Protocol())
	return lab.NewHub(lab.HubOptions{Registry: reg})
}

func messages(hub *lab.Hub) []string {
	var got []string
	for _, e := range hub.Events(0) {
		if e.Kind == lab.KindMessage || e.Kind == lab.KindHandshake {
			got = append(got, e.Layer+": "+e.Msg.Summary)
		}
	}
	return got
}

// TestPeers has two pion peers talk over tapped loopback sockets, with their
// DTLS secrets in the hub's key log: the flow shows every layer, down to the
// data channel's "hello"s.
func TestPeers(t *testing.T) {
	hub := newHub()
	talk(t, hub, hub.Keys())
	got := messages(hub)
	all := strings.Join(got, "\n")
	if testing.Verbose() {
		t.Log(all)
	}
	for _, want := range []string{
		"stun: Binding request", "stun: Binding success response (127.0.0.1:",
		"dtls: ClientHello", "dtls: ServerHello: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "dtls: Certificate (1)",
		"dtls: ChangeCipherSpec", "dtls: Finished",
		"sctp: INIT (", "sctp: INIT-ACK (", "sctp: COOKIE-ECHO", "sctp: COOKIE-ACK",
		`sctp: DATA_CHANNEL_OPEN "chat" (stream`, "sctp: DATA_CHANNEL_ACK", `sctp: I-DATA on "chat": "hello"`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no message %q in\n%s", want, all)
		}
	}
	checked := 0
	for _, e := range hub.Events(0) {
		if e.Kind == lab.KindMessage && e.Layer == "stun" {
			fields, _ := e.Msg.Detail()
			for _, f := range fields {
				if f.Name == "MESSAGE-INTEGRITY" {
					if !strings.Contains(f.Value, "checks out") {
						t.Errorf("%s: MESSAGE-INTEGRITY %s", e.Msg.Summary, f.Value)
					}
					checked++
				}
			}
		}
	}
	if checked == 0 {
		t.Error("no MESSAGE-INTEGRITY checked")
	}
	if n := strings.Count(all, `sctp: I-DATA on "chat": "hello"`); n != 2 {
		t.Errorf("%d hellos, want 2", n)
	}
	states := map[string][]string{}
	machines := map[string]*lab.Layer{}
	for _, l := range webrtc.Layers() {
		machines[l.Name] = l
	}
	for _, e := range hub.Events(0) {
		if e.Kind != lab.KindState {
			continue
		}
		states[e.Layer] = append(states[e.Layer], e.To)
		l := machines[e.Layer]
		if l == nil || !slices.Contains(l.States, e.To) ||
			e.From != "" && !slices.Contains(l.Transitions, [2]string{e.From, e.To}) {
			t.Errorf("%s: %q → %q is not a move its layer declares", e.Layer, e.From, e.To)
		}
	}
	for layer, want := range map[string]string{
		"stun": "checking connected completed",
		"dtls": "hello cookie hello negotiating finishing established closed",
		"sctp": "cookie-wait cookie-echoed established closed",
	} {
		if got := strings.Join(states[layer], " "); got != want {
			t.Errorf("%s's states %q, want %q", layer, got, want)
		}
	}
	if *update {
		writeCapture(t, hub)
	}
}

var update = flag.Bool("update", false, "write testdata/peers.txt and peers.keys from TestPeers")

// writeCapture saves the flow's datagrams, each once (from the tap that sent
// it), and the key log, for the analyzers' tests.
func writeCapture(t *testing.T, hub *lab.Hub) {
	var steps []analyzertest.Step
	for _, e := range hub.Events(0) {
		if e.Kind == lab.KindData && (e.Side == lab.SideClient) == (e.Dir == lab.ClientToServer) {
			steps = append(steps, analyzertest.Step{Dir: e.Dir, Data: string(e.Data)})
		}
	}
	analyzertest.WriteCapture(t, "testdata/peers.txt", "two pion peers on loopback (TestPeers -update): one datagram a line", steps)
	if err := os.WriteFile("testdata/peers.keys", []byte(strings.Join(hub.Keys().Lines(), "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPeersWithoutKeys: without the key log, the records after ChangeCipherSpec
// are marked encrypted and nothing of SCTP shows.
func TestPeersWithoutKeys(t *testing.T) {
	hub := newHub()
	talk(t, hub, nil)
	all := strings.Join(messages(hub), "\n")
	for _, want := range []string{"dtls: ClientHello", "dtls: encrypted handshake (Finished)", "dtls: encrypted application data ("} {
		if !strings.Contains(all, want) {
			t.Errorf("no message %q in\n%s", want, all)
		}
	}
	if strings.Contains(all, "sctp:") {
		t.Errorf("SCTP shown without keys:\n%s", all)
	}
}
