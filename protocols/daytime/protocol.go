// Package daytime is what the Daytime Protocol is (RFC 867): the smallest
// server there is. A client connects; the server sends the current date and time
// as one line of text and closes the connection; whatever the client sends is
// thrown away. It is the lab's worked example of a protocol added as one module
// (docs/adding-a-protocol.md), and a first lesson in a server that speaks first
// and closes first.
//
// RFC 867 also runs over UDP (a datagram in, the time out); the lab's server
// speaks TCP only.
package daytime

import "github.com/protocollab/protolab/lab"

// Name is the protocol's name in the registry, on the command line and in saved
// sessions.
const Name = "daytime"

// DefaultPort is where the lab's daytime server listens unless told otherwise
// (13, the well-known port, needs administrator rights).
const DefaultPort = 1313

// The states of a daytime session.
const (
	StateConnected = "connected" // the connection is open; the server has not answered yet
	StateAnswered  = "answered"  // the server sent the time
	StateClosed    = "closed"    // the connection ended
)

// States and Transitions are the session's state machine, in drawing order.
var (
	States      = []string{StateConnected, StateAnswered, StateClosed}
	Transitions = [][2]string{{StateConnected, StateAnswered}, {StateAnswered, StateClosed}, {StateConnected, StateClosed}}
)

// machine is the session's state machine, which each analyzer copies.
var machine = lab.NewMachine(States, Transitions)

// Ref is where RFC 867 says it all: the RFC is one page.
const Ref = "RFC 867"

// Protocol describes the daytime protocol for the registry. It returns a new
// value on each call; the server is wired in by the app (servers/daytimeserver).
func Protocol() *lab.Protocol {
	return &lab.Protocol{
		Name:        Name,
		Title:       "Daytime",
		DefaultPort: DefaultPort,
		Transport:   "tcp",
		About: "Daytime (RFC 867) is the smallest server there is: connect, and it sends the date and " +
			"time as a line of text and closes the connection. Watch the server speak first and " +
			"close first: the client's FIN comes after the server's.",
		States:      machine.States(),
		Transitions: machine.Transitions(),
		NewAnalyzer: func() lab.Analyzer { return NewAnalyzer() },
		Dissector:   lab.Dissector{Name: "daytime", Ports: []uint16{13}},
	}
}
