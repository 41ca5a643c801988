// Package p2p is what the lab knows about its WebRTC signalling: the JSON
// messages lab peers exchange over a WebSocket (RFC 6455) to find each other in
// a room and trade their SDP offer and answer (RFC 8829, JSEP) and, if they
// trickle them, their ICE candidates (RFC 8838). WebRTC leaves signalling to
// the application; this is the lab's own, small and readable in the inspector.
//
// The signalling conversation is a WebSocket conversation (the protocol's
// analyzer is WebSocket's); the UDP flow it sets up between two peers is a
// protocols/webrtc conversation, linked to it (lab.LinkSignal).
//
// # Messages
//
// Every message is one JSON object in one WebSocket text message, with a
// "type" (Message). A peer sends:
//
//	{"type":"join","room":"lab","peer":"alice"}        enter a room (create:true makes it if new)
//	{"type":"offer","to":"lab-peer","sdp":"v=0..."}    an SDP offer for one peer of the room
//	{"type":"answer","to":"alice","sdp":"v=0..."}      the answer to an offer
//	{"type":"candidate","to":"alice","candidate":"candidate:1 1 udp ..."}
//	{"type":"leave"}
//
// and the server answers "joined" (with the room's other peers), passes offers,
// answers and candidates on with "from" set, tells the room "peer-joined" and
// "peer-left", and sends "error" (with "error" and "about", the type of the
// message refused) for anything it does not pass on: a room that does not
// exist, a peer that is not in the room, an SDP that does not parse. Nothing a
// peer sends stops the server.
//
// ExplainSDP explains an offer or answer line by line (ICE credentials and
// candidates, the DTLS fingerprint and role, the SCTP port), each line with a
// topic, its meaning and the RFC that defines it, for a pane to show beside
// it; ParseCandidate reads an ICE candidate (RFC 8839 §5.1).
package p2p

import (
	"strings"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/websocket"
)

// Name is the protocol's name in the registry: the lab's P2P server, whose
// signalling listener is this protocol's conversations.
const Name = "p2p"

// DefaultPort is the signalling server's port.
const DefaultPort = 8188

// Path is where the signalling server takes WebSocket upgrades.
const Path = "/signal"

// DefaultRoom is the room the lab's answering peer waits in.
const DefaultRoom = "lab"

// Protocol describes the lab's signalling for the registry. It returns a new
// value on each call. NewServer is left nil: the app wires the server in.
func Protocol() *lab.Protocol {
	ws := websocket.Protocol()
	return &lab.Protocol{
		Name:        Name,
		Title:       "P2P signalling (WebRTC)",
		DefaultPort: DefaultPort,
		Transport:   "tcp",
		About: "Two WebRTC peers need a go-between only to find each other: over the signalling server's " +
			"WebSocket they join a room and trade an SDP offer and answer (their ICE credentials, candidates, " +
			"DTLS fingerprint and SCTP port). Then they talk directly over UDP, and the server carries nothing more.",
		States:      ws.States,
		Transitions: ws.Transitions,
		NewAnalyzer: ws.NewAnalyzer,
		Dissector:   lab.Dissector{Name: "http"},
		Links:       []lab.LinkKind{lab.LinkSignal},
	}
}

// Message types.
const (
	TypeJoin       = "join"
	TypeJoined     = "joined"
	TypePeerJoined = "peer-joined"
	TypePeerLeft   = "peer-left"
	TypeOffer      = "offer"
	TypeAnswer     = "answer"
	TypeCandidate  = "candidate"
	TypeLeave      = "leave"
	TypeError      = "error"
)

// Message is one signalling message, either way. Fields a type does not use
// are left out of its JSON.
type Message struct {
	Type      string   `json:"type"`
	Room      string   `json:"room,omitempty"`
	Peer      string   `json:"peer,omitempty"`   // join: the name asked for ("" lets the server choose); joined, peer-joined, peer-left: the name
	Create    bool     `json:"create,omitempty"` // join: make the room if it does not exist
	Peers     []string `json:"peers,omitempty"`  // joined: the room's other peers
	From      string   `json:"from,omitempty"`   // set by the server on what it passes on
	To        string   `json:"to,omitempty"`     // offer, answer, candidate: the peer it is for ("" with one other peer: that one)
	SDP       string   `json:"sdp,omitempty"`
	Candidate string   `json:"candidate,omitempty"` // the candidate attribute's value, "candidate:..." (RFC 8839 §5.1)
	Error     string   `json:"error,omitempty"`
	About     string   `json:"about,omitempty"` // error: the type of the message refused
}

// ICECredentials returns the ICE username fragment and password an SDP
// declares (a=ice-ufrag, a=ice-pwd, RFC 8839 §5.4), the first of each.
func ICECredentials(sdp string) (ufrag, pwd string) {
	for _, line := range strings.Split(sdp, "\n") {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, "a=ice-ufrag:"); ok && ufrag == "" {
			ufrag = v
		}
		if v, ok := strings.CutPrefix(line, "a=ice-pwd:"); ok && pwd == "" {
			pwd = v
		}
	}
	return ufrag, pwd
}
