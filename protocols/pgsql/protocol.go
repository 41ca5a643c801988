package pgsql

import (
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/starttls"
)

// Name and port of PostgreSQL in the registry. PostgreSQL's own port is 5432;
// the lab's server listens on 5433 so that it never clashes with a PostgreSQL
// installed on the same computer.
const (
	Name        = "postgres"
	DefaultPort = 5433
	// IANAPort is PostgreSQL's registered port, where Wireshark looks by itself.
	IANAPort = 5432
)

// The states of a session (PostgreSQL documentation §55.2, "Message Flow").
// ReadyForQuery's transaction status byte says which of the three ready states
// the session is in after each query.
const (
	StateStartup        = "startup"            // before and during the StartupMessage (SSLRequest, GSSENCRequest, CancelRequest)
	StateAuthenticating = "authenticating"     // the server asked for a password, or said AuthenticationOk; no ReadyForQuery yet
	StateIdle           = "idle"               // ReadyForQuery 'I': ready, not in a transaction block
	StateTransaction    = "in transaction"     // ReadyForQuery 'T': inside BEGIN … COMMIT
	StateFailed         = "failed transaction" // ReadyForQuery 'E': an error in the block; everything is refused until ROLLBACK
	StateTerminated     = "terminated"         // Terminate, a fatal error, or the connection's end
)

// States are the session's states in the order a diagram draws them.
var States = []string{StateStartup, StateAuthenticating, StateIdle, StateTransaction, StateFailed, StateTerminated}

// Transitions are the moves the analyzer makes: the ready states by
// ReadyForQuery's status, terminated by Terminate or a FATAL error.
var Transitions = [][2]string{
	{"", StateStartup},
	{StateStartup, StateAuthenticating},
	{StateAuthenticating, StateIdle},
	{StateIdle, StateTransaction},
	{StateIdle, StateFailed},
	{StateTransaction, StateIdle},
	{StateTransaction, StateFailed},
	{StateFailed, StateIdle},
	{StateFailed, StateTransaction},
	{StateStartup, StateTerminated},
	{StateAuthenticating, StateTerminated},
	{StateIdle, StateTerminated},
	{StateTransaction, StateTerminated},
	{StateFailed, StateTerminated},
	{"", StateTerminated},
}

var machine = lab.NewMachine(States, Transitions)

// about is what the workbench says of PostgreSQL's protocol.
const about = "PostgreSQL's frontend/backend protocol (version 3) carries SQL between a client such as psql " +
	"and the database server. The client opens with a StartupMessage (user, database), may first ask for " +
	"TLS (SSLRequest, answered S or N), then proves who it is (a password in clear, an MD5 digest, or " +
	"SCRAM-SHA-256, which never sends the password at all). After that every message is one type letter, " +
	"a length and its fields: a simple Query is answered by RowDescription (the columns and their types), " +
	"a DataRow per row, CommandComplete and ReadyForQuery, whose letter says whether the session is idle (I), " +
	"inside a transaction (T) or in a failed one (E). The extended protocol splits a query into Parse, Bind, " +
	"Describe, Execute and Sync, so a statement is prepared once and run with typed parameters. Errors carry " +
	"a five-character SQLSTATE code such as 42P01 (no such table)."

// Protocol describes PostgreSQL's protocol for the registry. It returns a new
// value on each call; NewServer and Settings are left nil: the app wires the
// server in.
func Protocol() *lab.Protocol {
	return &lab.Protocol{
		Name:        Name,
		Title:       "PostgreSQL",
		DefaultPort: DefaultPort,
		Links:       []lab.LinkKind{lab.LinkCancel}, // a CancelRequest's connection, to the session it cancels
		Transport:   "tcp",
		About:       about,
		States:      machine.States(),
		Transitions: machine.Transitions(),
		NewAnalyzer: func() lab.Analyzer { return NewAnalyzer() },
		// Wireshark's pgsql dissector follows an SSLRequest answered S into TLS itself.
		Dissector: lab.Dissector{Name: "pgsql", Ports: []uint16{IANAPort}},
		Layers:    []*lab.Layer{starttls.Layer()}, // the TLS after SSLRequest and 'S'
	}
}
