package tcp

import "github.com/protocollab/protolab/lab"

// Name is the protocol's name in the registry.
const Name = "tcp"

// The connection states of RFC 9293 §3.3.2.
const (
	StateClosed      = "CLOSED"
	StateListen      = "LISTEN"
	StateSynSent     = "SYN-SENT"
	StateSynReceived = "SYN-RECEIVED"
	StateEstablished = "ESTABLISHED"
	StateFinWait1    = "FIN-WAIT-1"
	StateFinWait2    = "FIN-WAIT-2"
	StateCloseWait   = "CLOSE-WAIT"
	StateClosing     = "CLOSING"
	StateLastAck     = "LAST-ACK"
	StateTimeWait    = "TIME-WAIT"
)

// DefaultPort is where the lab's TCP echo/chat server listens unless told otherwise.
const DefaultPort = 7000

// SettingMode is the key of the server setting that picks the service.
const SettingMode = "mode"

// The services the TCP server offers, the values of SettingMode.
const (
	ModeEcho = "echo" // every byte goes back to its sender
	ModeChat = "chat" // every line goes to all connected clients
)

// SettingCapture is the key of the server setting that bounds how much of each
// connection the lab keeps: one of CaptureChoices.
const SettingCapture = "capture"

// CaptureChoices are SettingCapture's values: the bytes kept of each direction
// of a connection, or all of them (within the capture's bound).
var CaptureChoices = []string{"64 KiB", "1 MiB", "16 MiB", "all"}

// DefaultCapture is SettingCapture's default, and DefaultCaptureLimit its bytes:
// far more than anyone types into a chat, and a bulk stream through the echo
// keeps its first MiB each way instead of pushing the rest of the capture out.
const (
	DefaultCapture      = "1 MiB"
	DefaultCaptureLimit = 1 << 20
)

// States lists RFC 9293's states in the order a diagram draws them: opening, open,
// active close, passive close.
var states = []string{
	StateClosed, StateListen, StateSynSent, StateSynReceived, StateEstablished,
	StateFinWait1, StateFinWait2, StateCloseWait, StateClosing, StateLastAck, StateTimeWait,
}

// transitions are the arrows of RFC 9293 Figure 5. A reset moves any synchronized
// state to CLOSED (§3.10.7.4); the figure does not draw those arrows, and neither
// does this list.
var transitions = [][2]string{
	{StateClosed, StateListen},           // passive OPEN
	{StateListen, StateClosed},           // CLOSE
	{StateClosed, StateSynSent},          // active OPEN, snd SYN
	{StateSynSent, StateClosed},          // CLOSE
	{StateListen, StateSynReceived},      // rcv SYN, snd SYN,ACK
	{StateListen, StateSynSent},          // SEND, snd SYN
	{StateSynReceived, StateListen},      // rcv RST
	{StateSynSent, StateSynReceived},     // rcv SYN, snd SYN,ACK
	{StateSynReceived, StateEstablished}, // rcv ACK of SYN
	{StateSynSent, StateEstablished},     // rcv SYN,ACK, snd ACK
	{StateSynReceived, StateFinWait1},    // CLOSE, snd FIN
	{StateEstablished, StateFinWait1},    // CLOSE, snd FIN
	{StateEstablished, StateCloseWait},   // rcv FIN, snd ACK
	{StateFinWait1, StateFinWait2},       // rcv ACK of FIN
	{StateFinWait1, StateClosing},        // rcv FIN, snd ACK
	{StateFinWait2, StateTimeWait},       // rcv FIN, snd ACK
	{StateClosing, StateTimeWait},        // rcv ACK of FIN
	{StateTimeWait, StateClosed},         // timeout = 2 MSL
	{StateCloseWait, StateLastAck},       // CLOSE, snd FIN
	{StateLastAck, StateClosed},          // rcv ACK of FIN
}

// machine is an endpoint's state machine, which the analyzer copies for each.
var machine = lab.NewMachine(states, transitions)

// Protocol describes TCP and the lab's echo/chat service for the registry. It returns
// a new value on each call. NewServer is left nil: the app wires the server in.
func Protocol() *lab.Protocol {
	return &lab.Protocol{
		Name:        Name,
		Title:       "TCP echo/chat",
		DefaultPort: DefaultPort,
		Transport:   "tcp",
		About: "TCP gives two programs a reliable, ordered byte stream. Watch the three-way handshake " +
			"open a connection, the bytes flow, and FIN or RST close it, with each end's state " +
			"following RFC 9293's state machine.",
		States:      machine.States(),
		Transitions: machine.Transitions(),
		NewAnalyzer: func() lab.Analyzer { return NewAnalyzer() },
		// Past the first MiB each way, a connection's bytes are counted
		// (the server's SettingCapture chooses for its own connections).
		CaptureLimit:     DefaultCaptureLimit,
		CaptureCountOnly: true,
		// Wireshark's echo dissector (RFC 862, port 7) shows the bytes each way as they are.
		Dissector: lab.Dissector{Name: "echo", Ports: []uint16{7}},
		Settings: []lab.Setting{{
			Key:     SettingMode,
			Label:   "Service",
			Default: ModeEcho,
			Choices: []string{ModeEcho, ModeChat},
			Help: "echo sends every byte back to its sender; " +
				"chat sends every line a client sends to all connected clients",
		}, {
			Key:     SettingCapture,
			Label:   "Data kept",
			Default: DefaultCapture,
			Choices: CaptureChoices,
			Help: "how much of each connection's bytes the inspector keeps, each way; past it the bytes are only " +
				"counted, so a bulk stream never fills memory nor pushes the rest of the capture out",
		}},
	}
}
