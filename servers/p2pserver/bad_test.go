package p2pserver

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/p2p"
)

// badSDP are offers the signalling server refuses, with what its error says.
var badSDP = []struct{ name, sdp, want string }{
	{"empty", "", "the offer has no SDP"},
	{"not SDP", "hello, peer", "bad SDP in the offer"},
	{"no media", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", "no media section"},
	{"no ICE", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n", "no ICE credentials"},
	{"no fingerprint", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n", "no DTLS fingerprint"},
}

// refused sends m and returns the server's error about it.
func refused(t *testing.T, sig *p2pclient.Signal, m p2p.Message) string {
	t.Helper()
	if err := sig.Send(m); err != nil {
		t.Fatal(err)
	}
	ctx := timeout(t, 10*time.Second)
	for {
		r, err := sig.Next(ctx)
		if err != nil {
			t.Fatalf("no answer to %s: %v", m.Type, err)
		}
		if r.Type == p2p.TypeError {
			if r.About != m.Type {
				t.Errorf("error about %q, want about %q", r.About, m.Type)
			}
			return r.Error
		}
	}
}

// TestSignalBadInput: what the signalling server refuses gets an error that
// says why, and the server serves on: the same connection then joins and
// passes a message to another peer.
func TestSignalBadInput(t *testing.T) {
	r := newRig(t, true)
	ctx := timeout(t, 10*time.Second)
	sig, err := p2pclient.DialSignal(ctx, r.signal, p2pclient.SignalOptions{Tap: r.sigTap})
	if err != nil {
		t.Fatal(err)
	}
	defer sig.Close()
	if got := refused(t, sig, p2p.Message{Type: p2p.TypeOffer, SDP: "v=0"}); !strings.Contains(got, "join a room first") {
		t.Errorf("offer before join: %q", got)
	}
	_, err = sig.Join(ctx, "nowhere", "alice", false)
	var se *p2pclient.Error
	if !errors.As(err, &se) || !strings.Contains(se.Message, `room "nowhere" does not exist (rooms: lab)`) {
		t.Errorf("join nowhere = %v, want the room refused", err)
	}
	if _, err := sig.Join(ctx, "lab", "no spaces please", false); err == nil || !strings.Contains(err.Error(), "peer name") {
		t.Errorf("join with a bad name = %v", err)
	}
	if _, err := sig.Join(ctx, "lab", "alice", false); err != nil {
		t.Fatal(err)
	}
	for _, tt := range badSDP {
		if got := refused(t, sig, p2p.Message{Type: p2p.TypeOffer, To: "bob", SDP: tt.sdp}); !strings.Contains(got, tt.want) {
			t.Errorf("%s: %q, want it to say %q", tt.name, got, tt.want)
		}
	}
	if got := refused(t, sig, p2p.Message{Type: p2p.TypeCandidate, To: "bob", Candidate: "1 1 udp"}); !strings.Contains(got, `begins "candidate:"`) {
		t.Errorf("bad candidate: %q", got)
	}
	if got := refused(t, sig, p2p.Message{Type: p2p.TypeCandidate, To: "nobody", Candidate: "candidate:1"}); !strings.Contains(got, `no peer "nobody" in room "lab"`) {
		t.Errorf("to nobody: %q", got)
	}
	if got := refused(t, sig, p2p.Message{Type: "hello"}); !strings.Contains(got, `unknown message type "hello"`) {
		t.Errorf("unknown type: %q", got)
	}

	// Not JSON, on a connection of its own.
	raw, _, err := websocket.DefaultDialer.DialContext(ctx, r.signal, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.WriteMessage(websocket.TextMessage, []byte("{{{"))
	var m p2p.Message
	if err := raw.ReadJSON(&m); err != nil || m.Type != p2p.TypeError || !strings.Contains(m.Error, "not a signalling message") {
		t.Errorf("not JSON: %+v, %v", m, err)
	}

	// Served on: bob joins and alice's candidate reaches him.
	bob := r.dial(t, "lab", "bob")
	if err := sig.Send(p2p.Message{Type: p2p.TypeCandidate, To: "bob", Candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host"}); err != nil {
		t.Fatal(err)
	}
	for {
		m, err := bob.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if m.Type == p2p.TypeCandidate {
			if m.From != "alice" || !strings.HasPrefix(m.Candidate, "candidate:1 ") {
				t.Errorf("bob got %+v", m)
			}
			break
		}
	}
}

// TestBadOfferToPeer: an offer the answering peer cannot take comes back as
// an error to the offerer, and the peer answers the next one.
func TestBadOfferToPeer(t *testing.T) {
	r := newRig(t, false)
	p, err := p2pclient.New(p2pclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx := timeout(t, 10*time.Second)
	// SDP the server lets through (it has what WebRTC needs) with a
	// candidate the peer cannot read.
	sdp := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=fingerprint:sha-256 00\r\n" +
		"m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n" +
		"a=setup:actpass\r\na=mid:0\r\na=sctp-port:5000\r\na=candidate:garbage\r\n"
	if _, err := p.Answer(ctx, sdp); err == nil || !strings.Contains(err.Error(), "bad offer") {
		t.Errorf("Answer(bad offer) = %v", err)
	}
	ap := NewAnsweringPeer(PeerOptions{Signal: r.signal})
	startPeer(t, ap)
	sig := r.dial(t, "lab", "alice")
	if err := sig.Send(p2p.Message{Type: p2p.TypeOffer, To: "lab-peer", SDP: sdp}); err != nil {
		t.Fatal(err)
	}
	for {
		m, err := sig.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if m.Type == p2p.TypeError {
			if m.From != "lab-peer" || !strings.Contains(m.Error, "the answering peer refused the offer: p2pclient: bad offer: attribute not long enough to be ICE candidate") {
				t.Errorf("error %+v", m)
			}
			break
		}
	}
	a, err := p2pclient.New(p2pclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ch, _ := a.OpenChannel("x", p2pclient.ChannelOptions{})
	if err := a.Call(ctx, sig, "lab-peer"); err != nil {
		t.Fatal(err)
	}
	if err := ch.WaitOpen(ctx); err != nil {
		t.Fatal(err)
	}
}

// startPeer serves ap on a loopback socket until the test ends.
func startPeer(t *testing.T, ap *AnsweringPeer) {
	srv := lab.PacketServer("webrtc", "127.0.0.1:0", ap, ap.Serve)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
}
