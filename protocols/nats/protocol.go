package nats

import "github.com/protocollab/protolab/lab"

// Name is the protocol's name in the registry; DefaultPort is the port
// nats-server listens on for clients.
const (
	Name        = "nats"
	DefaultPort = 4222
)

// The states of a NATS connection (Client Protocol: INFO, CONNECT).
const (
	StateConnecting = "connecting" // the server's INFO came: it waits for the client's CONNECT
	StateConnected  = "connected"  // the client sent CONNECT: it may subscribe and publish
	StateClosed     = "closed"     // the connection ended
)

// States are the connection's states in the order a diagram draws them.
var States = []string{StateConnecting, StateConnected, StateClosed}

// Transitions are the moves the analyzer makes; a client that sends CONNECT
// before the INFO reached the analyzer goes straight to connected.
var Transitions = [][2]string{
	{"", StateConnecting},
	{StateConnecting, StateConnected},
	{"", StateConnected},
	{"", StateClosed},
	{StateConnecting, StateClosed},
	{StateConnected, StateClosed},
}

var machine = lab.NewMachine(States, Transitions)

// Protocol describes the NATS client protocol for the registry. It returns a
// new value on each call; NewServer and Settings are left nil: the app wires
// the broker in.
func Protocol() *lab.Protocol {
	return &lab.Protocol{
		Name:        Name,
		Title:       "NATS broker",
		DefaultPort: DefaultPort,
		Transport:   "tcp",
		About: "NATS is a publish/subscribe protocol of short text lines: the server greets with INFO, " +
			"the client answers CONNECT, then SUBscribes to subjects such as lab.sensors.t1 (with the " +
			"wildcards * for one token and > for the rest) and PUBlishes; the server delivers each " +
			"message to every matching subscriber as MSG, or to one member of a queue group. A reply " +
			"subject turns a publication into a request.",
		States:      machine.States(),
		Transitions: machine.Transitions(),
		NewAnalyzer: func() lab.Analyzer { return NewAnalyzer() },
		Dissector:   lab.Dissector{None: "Wireshark (4.0, Debian 12) has no NATS dissector: tshark -G protocols lists none; the conversation shows as TCP data"},
	}
}
