// Package sctp is what the lab knows about SCTP (RFC 9260) as WebRTC carries it
// inside DTLS (RFC 8261) and the data channel protocol on top of it (RFC 8831,
// RFC 8832): an analyzer that frames each SCTP packet's common header (ports,
// verification tag, CRC-32c checksum, checked) and every chunk — INIT and
// INIT-ACK with their parameters, COOKIE-ECHO, COOKIE-ACK, DATA with its TSN,
// stream, sequence number and payload protocol, SACK with its gaps, HEARTBEAT and
// its ACK, the SHUTDOWNs, ABORT, ERROR, FORWARD-TSN (RFC 3758) and RE-CONFIG
// (RFC 6525) — one message each, and follows the association's state.
//
// DATA chunks with payload protocol 50 are the data channel protocol's:
// DATA_CHANNEL_OPEN (the channel's type, priority, label and protocol) and
// DATA_CHANNEL_ACK; those with 51/53 (56/57 when empty) are a channel's messages,
// text or binary, shown with the channel's label.
//
// Left out: reassembly of user messages split over several DATA chunks (each
// piece is shown), I-DATA (RFC 8260), AUTH's HMAC check, and ASCONF's parameters.
package sctp

import "github.com/protocollab/protolab/lab"

// Name is the layer's name.
const Name = "sctp"

// The association's states (RFC 9260 §4).
const (
	StateClosed          = "closed"
	StateCookieWait      = "cookie-wait"
	StateCookieEchoed    = "cookie-echoed"
	StateEstablished     = "established"
	StateShutdownSent    = "shutdown-sent"
	StateShutdownAckSent = "shutdown-ack-sent"
)

// States are the association's states, in diagram order.
var States = []string{StateClosed, StateCookieWait, StateCookieEchoed, StateEstablished, StateShutdownSent, StateShutdownAckSent}

// Transitions are the moves between States; ABORT closes from any.
var Transitions = [][2]string{
	{"", StateClosed},
	{StateClosed, StateCookieWait},
	{StateClosed, StateCookieEchoed},
	{StateCookieWait, StateCookieEchoed},
	{StateCookieEchoed, StateEstablished},
	{StateEstablished, StateShutdownSent},
	{StateShutdownSent, StateShutdownAckSent},
	{StateShutdownAckSent, StateClosed},
	{StateCookieWait, StateClosed},
	{StateCookieEchoed, StateClosed},
	{StateEstablished, StateClosed},
	{StateShutdownSent, StateClosed},
}

var machine = lab.NewMachine(States, Transitions)

// Layer is SCTP as the layer DTLS carries in a WebRTC flow. It is reached by
// no key: DTLS makes its analyzer itself (dtls.Layer's inner); the layer is in
// the table so that its name finds its state machine.
func Layer() *lab.Layer {
	return &lab.Layer{Name: Name, New: func() lab.Analyzer { return NewAnalyzer() },
		States: machine.States(), Transitions: machine.Transitions()}
}
