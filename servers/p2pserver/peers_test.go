package p2pserver

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/webrtc"
)

func messages(hub *lab.Hub, conv lab.ConvID) []string {
	var got []string
	for _, e := range hub.Events(0) {
		if (e.Kind == lab.KindMessage || e.Kind == lab.KindHandshake) && (conv == 0 || e.Conv == conv) {
			got = append(got, e.Layer+": "+e.Msg.Summary)
		}
	}
	return got
}

// field returns the value of the field called name of the first message of
// conv whose summary begins with summary, and whether there is one.
func field(hub *lab.Hub, conv lab.ConvID, summary, name string) (string, bool) {
	for _, e := range hub.ConvEvents(conv) {
		if e.Kind != lab.KindMessage || !strings.HasPrefix(e.Msg.Summary, summary) {
			continue
		}
		fields, _ := e.Msg.Detail()
		for _, f := range fields {
			if f.Name == name {
				return f.Value, true
			}
		}
	}
	return "", false
}

// TestTwoPeers: two lab peers meet through the lab's signalling and say hello
// over a data channel. The capture holds every layer of their flow — STUN's
// checks signed and verified, DTLS decrypted with the logged keys, SCTP's
// handshake, the channel's opening and its data — linked to the offerer's
// signalling conversation, and each peer's question to the STUN server,
// whose answer is the server-reflexive candidate in its description.
func TestTwoPeers(t *testing.T) {
	r := newRig(t, true)
	var mu sync.Mutex // OnState's calls come one at a time, but the test reads too
	var states []string
	closed := make(chan struct{})
	a := r.peer(t, lab.SideClient, p2pclient.Options{OnState: func(s p2pclient.State) {
		mu.Lock()
		defer mu.Unlock()
		if s.Layer != p2pclient.LayerGathering {
			states = append(states, s.Layer+" "+s.State)
		}
		if s.Layer == p2pclient.LayerPeer && s.State == "closed" {
			close(closed)
		}
	}})
	sa := r.dial(t, "lab", "alice")
	b, ca, cb := r.pairWith(t, a, sa, p2pclient.Options{}, "lab", p2pclient.ChannelOptions{})
	got := make(chan string, 1)
	cb.OnMessage(func(m p2pclient.Message) { got <- string(m.Data) })
	if err := ca.SendText("hello"); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != "hello" {
			t.Errorf("b got %q, want hello", s)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no hello within 20 s")
	}
	a.Close()
	b.Close()
	r.hub.Settle()

	flow := a.Flow()
	if flow == 0 || b.Flow() != flow {
		t.Fatalf("flows: a's %d, b's %d; want one, the same", flow, b.Flow())
	}
	all := messages(r.hub, flow)
	if testing.Verbose() {
		t.Log(strings.Join(messages(r.hub, 0), "\n"))
	}
	for _, want := range []string{
		"stun: Binding request (user", "stun: Binding success response (127.0.0.1:",
		"dtls: ClientHello", "dtls: ServerHello: ", "dtls: Certificate (1)", "dtls: ChangeCipherSpec", "dtls: Finished",
		"sctp: INIT (", "sctp: INIT-ACK (", "sctp: COOKIE-ECHO", "sctp: COOKIE-ACK",
		`sctp: DATA_CHANNEL_OPEN "chat" (stream`, "sctp: DATA_CHANNEL_ACK", `sctp: I-DATA on "chat": "hello"`,
	} {
		if !contains(all, want) {
			t.Errorf("the flow has no message %q:\n%s", want, strings.Join(all, "\n"))
		}
	}
	if contains(all, "encrypted") {
		t.Errorf("records left encrypted with the keys logged:\n%s", strings.Join(all, "\n"))
	}
	checked := 0
	for _, e := range r.hub.ConvEvents(flow) {
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

	info := r.hub.Conversation(flow).Info(false)
	if info.Protocol != webrtc.Name || info.Link.Kind != lab.LinkSignal || info.Link.Parent != sa.Conversation() {
		t.Errorf("flow %s linked %+v, want a %s flow linked (signal) to alice's signalling conversation %d",
			info.Protocol, info.Link, webrtc.Name, sa.Conversation())
	}
	signalling := strings.Join(messages(r.hub, sa.Conversation()), "\n")
	for _, want := range []string{`\"type\":\"offer\"`, `\"type\":\"answer\"`} {
		if !strings.Contains(signalling, want) {
			t.Errorf("alice's signalling has no %s:\n%s", want, signalling)
		}
	}

	// The server-reflexive candidate: asked of the lab's STUN server from the
	// peer's own socket, and in the description it sent.
	if !strings.Contains(a.LocalSDP(), " typ srflx raddr 127.0.0.1 rport ") {
		t.Errorf("a's offer has no server-reflexive candidate:\n%s", a.LocalSDP())
	}
	var asked lab.ConvID
	for _, ci := range r.hub.Conversations() {
		if ci.Server == r.stun && (ci.Client == a.Addr().String()) {
			asked = ci.ID
		}
	}
	if asked == 0 {
		t.Fatal("no conversation of a with the STUN server")
	}
	if v, ok := field(r.hub, asked, "Binding success response", "XOR-MAPPED-ADDRESS"); !ok || !strings.Contains(v, a.Addr().String()) {
		t.Errorf("the STUN server's XOR-MAPPED-ADDRESS = %q, want a's address %s", v, a.Addr())
	}
	<-closed
	mu.Lock()
	st := strings.Join(states, ", ")
	mu.Unlock()
	for _, want := range []string{"stun answered", "ice checking", "ice connected", "dtls connected", "sctp connected", "channel open", "peer connected", "peer closed"} {
		if !strings.Contains(st, want) {
			t.Errorf("a's states %s: no %q", st, want)
		}
	}
}
