package imap

import (
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/starttls"
)

// Name is the protocol's (and the analyzer's layer) name.
const Name = "imap"

// DefaultPort is where the lab's IMAP server listens unless told otherwise (143
// needs administrator rights).
const DefaultPort = 1143

// The states of an IMAP session (RFC 9051 §3).
const (
	StateNotAuthenticated = "not-authenticated" // greeted with OK: LOGIN, AUTHENTICATE or STARTTLS first
	StateAuthenticated    = "authenticated"     // logged in: mailboxes may be listed, created, selected
	StateSelected         = "selected"          // a mailbox is selected: its messages may be fetched, flagged, searched
	StateIdle             = "idle"              // IDLE: the server reports changes as they happen until DONE
	StateLogout           = "logout"            // BYE was sent: the connection is about to close
	StateClosed           = "closed"            // the connection ended
)

// States are the session's states, in the order a diagram draws them.
var States = []string{StateNotAuthenticated, StateAuthenticated, StateSelected, StateIdle, StateLogout, StateClosed}

// Transitions are the moves between States the analyzer makes, and what drives each:
//
//	not-authenticated → authenticated   OK to LOGIN or AUTHENTICATE; a PREAUTH greeting
//	authenticated → not-authenticated   OK to UNAUTHENTICATE
//	authenticated → selected            OK to SELECT or EXAMINE
//	selected → authenticated            OK to CLOSE or UNSELECT; NO to SELECT or EXAMINE
//	authenticated → idle                the continuation request (+) answering IDLE
//	selected → idle                     the continuation request (+) answering IDLE
//	idle → authenticated                the tagged completion of IDLE (after DONE)
//	idle → selected                     the tagged completion of IDLE (after DONE)
//	any → logout                        an untagged BYE, or the OK to LOGOUT
//	any → closed                        the connection's end
var Transitions = [][2]string{
	{StateNotAuthenticated, StateAuthenticated},
	{StateAuthenticated, StateNotAuthenticated},
	{StateAuthenticated, StateSelected},
	{StateSelected, StateAuthenticated},
	{StateAuthenticated, StateIdle},
	{StateSelected, StateIdle},
	{StateIdle, StateAuthenticated},
	{StateIdle, StateSelected},
	{StateNotAuthenticated, StateLogout},
	{StateAuthenticated, StateLogout},
	{StateSelected, StateLogout},
	{StateIdle, StateLogout},
	{StateNotAuthenticated, StateClosed},
	{StateAuthenticated, StateClosed},
	{StateSelected, StateClosed},
	{StateIdle, StateClosed},
	{StateLogout, StateClosed},
}

// machine is the session's state machine, which each analyzer copies.
var machine = lab.NewMachine(States, Transitions)

// Protocol describes IMAP for the registry. It returns a new value on each call.
// NewServer is left nil: the app wires the server in.
func Protocol() *lab.Protocol {
	return &lab.Protocol{
		Name:        Name,
		Title:       "IMAP",
		DefaultPort: DefaultPort,
		Transport:   "tcp",
		About: "IMAP reads mail where it stays: on the server, so every device sees the same " +
			"mailboxes, flags and deletions. Each command carries a tag (a1, a2, ...) and ends " +
			"with a tagged OK, NO or BAD; in between the server sends untagged data (* 3 EXISTS, " +
			"* 1 FETCH ...). Whole mails cross as literals ({1234} and then the bytes). Watch a " +
			"second client in IDLE hear of new mail the moment it arrives.",
		States:      machine.States(),
		Transitions: machine.Transitions(),
		NewAnalyzer: func() lab.Analyzer { return NewAnalyzer() },
		Dissector:   lab.Dissector{Name: "imap", Ports: []uint16{143}},
		Mail:        lab.MailIMAP,
		Layers:      []*lab.Layer{starttls.Layer()}, // the TLS after STARTTLS
	}
}
