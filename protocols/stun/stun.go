// Package stun is what the lab knows about STUN (RFC 8489) as ICE uses it
// (RFC 8445): an analyzer that frames each datagram into one STUN message — its
// class (request, success or error response, indication), method, transaction ID
// and every attribute with its exact bytes, explained in plain words
// (XOR-MAPPED-ADDRESS decoded to the address it hides, USERNAME's two ICE
// fragments, MESSAGE-INTEGRITY, FINGERPRINT checked against its CRC-32, PRIORITY,
// USE-CANDIDATE, ICE-CONTROLLING and ICE-CONTROLLED with their tie-breakers,
// ERROR-CODE with its reason, SOFTWARE) — and pairs each response with its
// request by transaction ID (lab.Message Role and Pair).
//
// STUN runs on its own over UDP (Protocol: a plain binding request to a STUN
// server and its answer) and as one of the protocols a WebRTC peer's flow
// carries, told apart by the first byte (Layer: 0–3, RFC 7983 §7). Its states
// follow ICE's view of one flow (RFC 8445 §6.1.3): checks sent (checking), one
// answered (connected), one answered for a nominated pair (completed), and when
// the flow ends, closed — or failed if no check was ever answered.
//
// MESSAGE-INTEGRITY is checked when the key log (lab.KeyLog) holds the ICE
// password of the agent the check was sent to: the lab's peers log theirs
// with KeyLogLine. Without it the HMAC is shown unchecked.
//
// Left out: MESSAGE-INTEGRITY-SHA256 and long-term credentials (shown, not
// checked), TURN's methods and attributes beyond their names, STUN over TCP's
// framing and the classic RFC 3489 messages without the magic cookie (shown as
// malformed).
package stun

import "github.com/protocollab/protolab/lab"

// Name is the protocol's name in the registry and its layer's name.
const Name = "stun"

// DefaultPort is STUN's port (RFC 8489 §18.6), where a lab STUN server listens.
const DefaultPort = 3478

// The states of ICE's view of one flow.
const (
	StateNew       = "new"
	StateChecking  = "checking"
	StateConnected = "connected"
	StateCompleted = "completed"
	StateFailed    = "failed"
	StateClosed    = "closed"
)

// States are the states a flow's STUN goes through, in diagram order.
var States = []string{StateNew, StateChecking, StateConnected, StateCompleted, StateFailed, StateClosed}

// Transitions are the moves between States.
var Transitions = [][2]string{
	{"", StateNew},
	{StateNew, StateChecking},
	{StateNew, StateConnected},
	{StateChecking, StateConnected},
	{StateNew, StateCompleted},
	{StateChecking, StateCompleted},
	{StateConnected, StateCompleted},
	{StateNew, StateFailed},
	{StateChecking, StateFailed},
	{StateConnected, StateClosed},
	{StateCompleted, StateClosed},
}

var machine = lab.NewMachine(States, Transitions)

const about = "STUN (RFC 8489) asks a server, or the peer itself, which address and port a datagram came from: " +
	"a binding request goes out, and the success response carries the sender's address as seen " +
	"(XOR-MAPPED-ADDRESS). ICE (RFC 8445) uses the same requests as connectivity checks between two peers, " +
	"signed with the peers' passwords (MESSAGE-INTEGRITY) and naming who controls the choice of pair."

// Protocol describes STUN on its own over UDP for the registry. It returns a new
// value on each call. NewServer is left nil: the app wires a server in.
func Protocol() *lab.Protocol {
	return &lab.Protocol{
		Name:           Name,
		Title:          "STUN",
		DefaultPort:    DefaultPort,
		Transport:      "udp",
		Connectionless: true,
		About:          about,
		States:         machine.States(),
		Transitions:    machine.Transitions(),
		NewAnalyzer:    func() lab.Analyzer { return NewAnalyzer() },
		Dissector:      lab.Dissector{Name: "stun", Ports: []uint16{3478}},
	}
}

// Layer is STUN as one protocol of a flow that carries several, reached by the
// first bytes 0–3 (RFC 7983 §7).
func Layer() *lab.Layer {
	return &lab.Layer{Name: Name, ReachedBy: []lab.NextKey{lab.FirstByte(0, 3)}, New: func() lab.Analyzer { return NewAnalyzer() },
		States: machine.States(), Transitions: machine.Transitions()}
}
