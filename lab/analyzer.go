package lab

import (
	"net"
	"time"
)

// Analyzer frames one layer of one conversation into messages and tracks its state,
// like a Wireshark dissector. One Analyzer serves one conversation and layer; it keeps
// partial input itself. It is fed from one goroutine at a time.
//
// For stream transports Feed receives the bytes in arbitrary chunks per direction;
// for datagram transports each Feed is exactly one datagram. Feed owns b (the tap
// passes a private copy, also held by the KindData event): a Message's Raw may point
// into it, which keeps capture memory bounded by the hub's byte limit.
type Analyzer interface {
	Feed(dir Dir, b []byte, at time.Time) []Message
	// State is the session's current state, one of the Protocol's States ("" before any).
	State() string
}

// ConnAnalyzer is implemented by transport analyzers that turn the life of a
// connection (opened, closed, reset) into messages: TCP's three-way handshake and
// teardown are drawn from what the sockets API reports.
type ConnAnalyzer interface {
	Analyzer
	Opened(info OpenInfo) []Message
	Closed(info CloseInfo) []Message
}

// OpenInfo is what a tap knows when a connection opens.
type OpenInfo struct {
	Side       Side          // the first tap that saw the connection
	Client     net.Addr      // client endpoint
	Server     net.Addr      // server endpoint
	At         time.Time     // when connect returned (client) or accept returned (server)
	Connect    time.Duration // how long connect took (client side only; 0 if unknown)
	Kernel     *TCPInfo      // the kernel's view right after the handshake (Linux; nil elsewhere)
	Joined     bool          // a second tap joined an existing conversation
	JoinedSide Side          // the side that joined
	// ClientInLab says whether the client's tap is in the lab when the analyzers see
	// this step. Analysis runs in batches a moment after the taps, so a client tap
	// that joined within that moment counts, whichever tap accepted or connected first.
	ClientInLab bool
}

// CloseInfo describes one endpoint's closing step. A tap reports only what its
// socket saw or what is certain: end-of-file (the peer's FIN), a reset (the peer's
// RST), its own half-close (a FIN), its own close — a FIN with nothing unread, a RST
// with unread bytes or SO_LINGER zero — or, where the system does not say,
// HowClosed: the socket closed and what it sent is not known.
type CloseInfo struct {
	By     Side   // which endpoint sent the FIN or RST (HowClosed: whose socket closed)
	How    string // "FIN", "RST", "closed", "idle", "error"
	First  bool   // this endpoint closed before the other one did
	Seen   Side   // the tap that observed it; By's own tap for its own close
	Err    string // the evidence or an error text, if any
	Kernel *TCPInfo
}

// Close reasons.
const (
	HowFIN = "FIN"
	HowRST = "RST"
	// HowClosed: an endpoint's socket closed, and whether that sent a FIN or a
	// RST (or nothing) is not known.
	HowClosed = "closed"
	HowIdle   = "idle"
	HowError  = "error"
)

// Carrier is implemented by analyzers that carry other layers inside their own
// (TLS carrying HTTP): after each step the conversation asks for the inner layers'
// states, so a state an inner layer reaches without a message of its own (closed,
// when the connection ends) is shown too.
type Carrier interface {
	InnerStates(report func(layer, state string))
}
