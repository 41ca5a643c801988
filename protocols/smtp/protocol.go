package smtp

import (
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/starttls"
)

// Name is the protocol's (and the analyzer layer's) name.
const Name = "smtp"

// BetaName is the protocol name of the lab's second SMTP server, the one of the
// domain beta.test; its conversations are analyzed as SMTP.
const BetaName = "smtp-beta"

// DefaultPort is where the lab's SMTP server for alpha.test listens unless told
// otherwise (25 and 587 need administrator rights); BetaPort is beta.test's.
const (
	DefaultPort = 2525
	BetaPort    = 2526
)

// The states of an SMTP session.
const (
	StateConnected = "connected" // before the client's EHLO or HELO was accepted (again after STARTTLS)
	StateGreeted   = "greeted"   // EHLO or HELO was accepted: no mail transaction is open
	StateMail      = "mail"      // MAIL FROM was accepted: a transaction is open
	StateRcpt      = "rcpt"      // at least one RCPT TO was accepted
	StateData      = "data"      // the message itself is on its way (after 354 to DATA, or BDAT)
	StateQuit      = "quit"      // QUIT was answered with 221
	StateClosed    = "closed"    // the connection ended
)

// States are the session's states, in the order a diagram draws them.
var States = []string{StateConnected, StateGreeted, StateMail, StateRcpt, StateData, StateQuit, StateClosed}

// Transitions are the moves between States the analyzer makes, and what drives each:
//
//	connected → greeted   250 to EHLO or HELO
//	greeted → connected   220 to STARTTLS: after TLS the client greets again (RFC 3207 §4.2)
//	greeted → mail        250 to MAIL FROM
//	mail → rcpt           250 to RCPT TO
//	rcpt → data           354 to DATA, or a BDAT chunk
//	data → greeted        the reply after the message: 250 (accepted) or a refusal
//	mail, rcpt → greeted  250 to RSET, EHLO or HELO; a refused DATA with no recipient left
//	any → quit            221 to QUIT
//	any → closed          421 (the server gives up), or the connection's end
var Transitions = [][2]string{
	{StateConnected, StateGreeted},
	{StateGreeted, StateConnected},
	{StateGreeted, StateMail},
	{StateMail, StateRcpt},
	{StateRcpt, StateData},
	{StateData, StateGreeted},
	{StateMail, StateGreeted},
	{StateRcpt, StateGreeted},
	{StateConnected, StateQuit},
	{StateGreeted, StateQuit},
	{StateMail, StateQuit},
	{StateRcpt, StateQuit},
	{StateConnected, StateClosed},
	{StateGreeted, StateClosed},
	{StateMail, StateClosed},
	{StateRcpt, StateClosed},
	{StateData, StateClosed},
	{StateQuit, StateClosed},
}

// machine is the session's state machine, which each analyzer copies.
var machine = lab.NewMachine(States, Transitions)

const about = "SMTP carries mail: the client greets (EHLO), may switch to TLS (STARTTLS) and log in " +
	"(AUTH), names the sender (MAIL FROM) and each recipient (RCPT TO), then sends the message after " +
	"DATA, ended by a line with a single dot. Each reply has a three-digit code and often an enhanced " +
	"code like 2.1.0. A server that is not the recipients' own relays the mail onwards, over SMTP again."

// Protocol describes SMTP for the registry: the lab's server of alpha.test. It
// returns a new value on each call. NewServer is left nil: the app wires the
// server in.
func Protocol() *lab.Protocol {
	return &lab.Protocol{
		Name:        Name,
		Title:       "SMTP",
		DefaultPort: DefaultPort,
		Transport:   "tcp",
		About:       about,
		States:      machine.States(),
		Transitions: machine.Transitions(),
		NewAnalyzer: func() lab.Analyzer { return NewAnalyzer() },
		Dissector:   lab.Dissector{Name: "smtp", Ports: []uint16{25, 587}},
		Links:       []lab.LinkKind{lab.LinkRelay},
		Mail:        lab.MailSMTP,
		Layers:      []*lab.Layer{starttls.Layer()}, // the TLS after STARTTLS
	}
}

// BetaProtocol describes the lab's second SMTP server, the one of beta.test, so
// that both mail domains run at once and mail relayed between them shows as two
// linked conversations. Its analyzer reports the "smtp" layer.
func BetaProtocol() *lab.Protocol {
	p := Protocol()
	p.Name = BetaName
	p.Title = "SMTP (beta.test)"
	p.DefaultPort = BetaPort
	p.Layer = Name
	p.About = about + " This server is beta.test's; the other, alpha.test's, relays to it."
	return p
}
