package websocket

import "github.com/protocollab/protolab/lab"

// Name is the protocol's name in the registry.
const Name = "ws"

// DefaultPort is where the lab's WebSocket server listens unless told otherwise.
const DefaultPort = 8081

// Layer names the WebSocket layer in messages and events.
const Layer = "ws"

// The states of a WebSocket connection, named as RFC 6455 and the browser's
// WebSocket.readyState name them.
const (
	StateConnecting = "CONNECTING" // the opening handshake is under way (§4)
	StateOpen       = "OPEN"       // the handshake succeeded: frames flow both ways (§5)
	StateClosing    = "CLOSING"    // one side sent a close frame and waits for the other's (§7)
	StateClosed     = "CLOSED"     // the closing handshake is done, or the connection ended
)

// States are the states in the order a diagram draws them.
var States = []string{StateConnecting, StateOpen, StateClosing, StateClosed}

// Transitions are the state changes the analyzer makes.
var Transitions = [][2]string{
	{StateConnecting, StateOpen},   // 101 Switching Protocols
	{StateConnecting, StateClosed}, // the server refused, or the connection ended
	{StateOpen, StateClosing},      // the first close frame
	{StateOpen, StateClosed},       // the connection ended without a closing handshake (1006)
	{StateClosing, StateClosed},    // the answering close frame, or the connection's end
	{StateClosed, StateConnecting}, // a refused upgrade is tried again on the same connection
}

// machine is the WebSocket's state machine, which each analyzer copies.
var machine = lab.NewMachine(States, Transitions)

// Protocol describes WebSocket for the registry. It returns a new value on each
// call. It declares WebSocket's layer (UpgradeLayer), so that HTTP and HTTPS
// conversations that upgrade go on as WebSockets. NewServer is left nil: the app
// wires the server in. Its Transport is TCP, so the lab shows TCP's handshake and
// teardown beneath each conversation.
func Protocol() *lab.Protocol {
	return &lab.Protocol{
		Name:        Name,
		Title:       "WebSocket",
		DefaultPort: DefaultPort,
		Transport:   "tcp",
		About: "WebSocket turns one HTTP/1.1 request into a two-way channel of messages: an Upgrade " +
			"handshake in which the server proves it read the client's key (Sec-WebSocket-Accept), " +
			"then small frames both ways — masked from the client, text or binary, split into " +
			"fragments or whole, with pings, pongs and a closing handshake that carries a status code.",
		States:      machine.States(),
		Transitions: machine.Transitions(),
		NewAnalyzer: func() lab.Analyzer { return NewAnalyzer() },
		// Wireshark reads the upgrade as HTTP and follows it into WebSocket.
		Dissector: lab.Dissector{Name: "http", Ports: []uint16{80, 8080}},
		Layers:    []*lab.Layer{UpgradeLayer()},
	}
}
