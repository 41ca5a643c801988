package h2

import "github.com/protocollab/protolab/lab"

// The states of one HTTP/2 connection.
const (
	// StatePreface: the client sent the connection preface (RFC 9113 §3.4); no
	// SETTINGS frame has been seen yet.
	StatePreface = "preface"
	// StateSettings: SETTINGS frames are being exchanged; the connection is not
	// open until each side's first SETTINGS has been acknowledged (§6.5.3).
	// Requests may already flow: a client need not wait for the server's SETTINGS.
	StateSettings = "settings"
	// StateOpen: both sides' settings are acknowledged; streams come and go.
	StateOpen = "open"
	// StateGoingAway: a GOAWAY was sent (§6.8); streams under way may finish, no new
	// ones start.
	StateGoingAway = "going-away"
	// StateError: the bytes are not valid HTTP/2 (a wrong preface, a frame too
	// large, a header block HPACK cannot decode), so the lab stopped reading them.
	StateError = "error"
	// StateClosed: the connection is over.
	StateClosed = "closed"
)

// States lists the connection's states in the order a diagram draws them.
var States = []string{StatePreface, StateSettings, StateOpen, StateGoingAway, StateError, StateClosed}

// Transitions lists every state change the analyzer makes. "" is the state before
// any byte; the server's SETTINGS may be analyzed before the client's preface.
var Transitions = [][2]string{
	{"", StatePreface},
	{"", StateSettings},
	{StatePreface, StateSettings},
	{StateSettings, StateOpen},
	{StateSettings, StateGoingAway},
	{StateOpen, StateGoingAway},
	{"", StateError},
	{StatePreface, StateError},
	{StateSettings, StateError},
	{StateOpen, StateError},
	{StateGoingAway, StateError},
	{"", StateClosed},
	{StatePreface, StateClosed},
	{StateSettings, StateClosed},
	{StateOpen, StateClosed},
	{StateGoingAway, StateClosed},
	{StateError, StateClosed},
}

// machine is the connection's state machine, which each analyzer copies.
var machine = lab.NewMachine(States, Transitions)

// Protocol describes HTTP/2 for the registry. It returns a new value on each call.
// DefaultPort is 0: HTTP/2 rides on an HTTPS server's port (or an h2c one the
// server decides). NewServer is left nil.
func Protocol() *lab.Protocol {
	return &lab.Protocol{
		Name:      "h2",
		Title:     "HTTP/2",
		Transport: "tcp",
		About: "HTTP/2 keeps HTTP's meaning but sends it as binary frames over one connection: each " +
			"request and its response travel on their own stream, many streams at once, with headers " +
			"compressed by HPACK. Watch the preface and the SETTINGS exchange, then HEADERS and DATA " +
			"frames of several requests interleave on the same connection.",
		States:      machine.States(),
		Transitions: machine.Transitions(),
		NewAnalyzer: func() lab.Analyzer { return NewAnalyzer() },
		Dissector:   lab.Dissector{None: "HTTP/2 rides inside TLS, chosen by ALPN: Wireshark finds it there by itself"},
		Layers:      []*lab.Layer{Layer()},
	}
}

// Layer is HTTP/2 as a layer TLS carries: reached by the ALPN protocol "h2"
// (RFC 9113 §3.2).
func Layer() *lab.Layer {
	return &lab.Layer{Name: "h2", ReachedBy: []lab.NextKey{lab.ALPN("h2")}, New: func() lab.Analyzer { return NewAnalyzer() }}
}
