package pop3

import (
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/starttls"
)

// Name is the protocol's (and the analyzer layer's) name.
const Name = "pop3"

// DefaultPort is where the lab's POP3 server listens unless told otherwise (110
// needs administrator rights).
const DefaultPort = 1110

// The states of a POP3 session (RFC 1939 §3).
const (
	StateAuthorization = "AUTHORIZATION" // greeted: the client must identify itself (USER/PASS, APOP), may STLS
	StateTransaction   = "TRANSACTION"   // logged in: the client lists, retrieves and marks messages
	StateUpdate        = "UPDATE"        // QUIT in TRANSACTION: the server deletes the marked messages
	StateClosed        = "closed"        // the session is over
)

// States are the session's states, in the order a diagram draws them.
var States = []string{StateAuthorization, StateTransaction, StateUpdate, StateClosed}

// Transitions are the moves between States the analyzer makes, and what drives each:
//
//	AUTHORIZATION → TRANSACTION   +OK to PASS, APOP or AUTH: the maildrop is locked and opened
//	TRANSACTION → UPDATE          QUIT sent in TRANSACTION
//	UPDATE → closed               the response to QUIT: marked messages are gone
//	AUTHORIZATION → closed        +OK to QUIT (nothing deleted), -ERR greeting, or the connection's end
//	TRANSACTION → closed          the connection ends without QUIT: nothing is deleted
var Transitions = [][2]string{
	{StateAuthorization, StateTransaction},
	{StateTransaction, StateUpdate},
	{StateUpdate, StateClosed},
	{StateAuthorization, StateClosed},
	{StateTransaction, StateClosed},
}

// machine is the session's state machine, which each analyzer copies.
var machine = lab.NewMachine(States, Transitions)

// Protocol describes POP3 for the registry. It returns a new value on each call.
// NewServer and Settings are left for the app's wiring.
func Protocol() *lab.Protocol {
	return &lab.Protocol{
		Name:        Name,
		Title:       "POP3",
		DefaultPort: DefaultPort,
		Transport:   "tcp",
		About: "POP3 downloads mail from a mailbox on the server: the client logs in, lists the " +
			"messages (LIST, UIDL), retrieves them (RETR) and marks them for deletion (DELE). " +
			"Nothing is deleted until QUIT, when the server enters the UPDATE state; RSET " +
			"unmarks. STLS turns the connection into TLS before the password crosses.",
		States:      machine.States(),
		Transitions: machine.Transitions(),
		NewAnalyzer: func() lab.Analyzer { return NewAnalyzer() },
		Dissector:   lab.Dissector{Name: "pop", Ports: []uint16{110}},
		Mail:        lab.MailPOP3,
		Layers:      []*lab.Layer{starttls.Layer()}, // the TLS after STLS
	}
}
