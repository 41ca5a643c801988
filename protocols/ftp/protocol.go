package ftp

import (
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/starttls"
)

// Name is the control connection's protocol (and analyzer layer) name.
const Name = "ftp"

// DataName is the data connections' protocol name.
const DataName = "ftp-data"

// DefaultPort is where the lab's FTP server listens unless told otherwise (21
// needs administrator rights).
const DefaultPort = 2121

// The states of an FTP session on its control connection.
const (
	StateConnected        = "connected"         // greeted (or not yet): nobody is logged in
	StateAwaitingPassword = "awaiting-password" // USER was accepted with 331: PASS must follow
	StateLoggedIn         = "logged-in"         // commands may work on files
	StateRenamePending    = "rename-pending"    // RNFR was accepted with 350: RNTO must follow
	StateTransfer         = "transfer"          // a transfer is in progress: from 150 or 125 until 226, 4xx or 5xx
	StateClosed           = "closed"            // QUIT was answered, 421 was sent, or the connection ended
)

// States are the session's states, in the order a diagram draws them.
var States = []string{StateConnected, StateAwaitingPassword, StateLoggedIn, StateRenamePending, StateTransfer, StateClosed}

// Transitions are the moves between States the analyzer makes, and what drives each:
//
//	connected → awaiting-password   331 to USER
//	connected → logged-in           230 to USER (no password needed)
//	awaiting-password → logged-in   230 to PASS
//	awaiting-password → connected   530 to PASS (login failed)
//	logged-in → awaiting-password   331 to a new USER
//	logged-in → connected           220 to REIN, or a failed new USER
//	logged-in → rename-pending      350 to RNFR
//	rename-pending → logged-in      the reply to RNTO, or any other command
//	logged-in → transfer            150 or 125 to RETR, STOR, STOU, APPE, LIST, NLST, MLSD
//	transfer → logged-in            226, 250, 4xx or 5xx ending the transfer (ABOR's 426)
//	any → closed                    221 to QUIT, 421, or the connection's end
var Transitions = [][2]string{
	{StateConnected, StateAwaitingPassword},
	{StateConnected, StateLoggedIn},
	{StateAwaitingPassword, StateLoggedIn},
	{StateAwaitingPassword, StateConnected},
	{StateLoggedIn, StateAwaitingPassword},
	{StateLoggedIn, StateConnected},
	{StateLoggedIn, StateRenamePending},
	{StateRenamePending, StateLoggedIn},
	{StateLoggedIn, StateTransfer},
	{StateTransfer, StateLoggedIn},
	{StateConnected, StateClosed},
	{StateAwaitingPassword, StateClosed},
	{StateLoggedIn, StateClosed},
	{StateRenamePending, StateClosed},
	{StateTransfer, StateClosed},
}

// machine is the session's state machine, which each analyzer copies.
var machine = lab.NewMachine(States, Transitions)

// Protocol describes FTP's control connection for the registry. It returns a new
// value on each call. NewServer is left nil: the app wires the server in.
func Protocol() *lab.Protocol {
	return &lab.Protocol{
		Name:        Name,
		Title:       "FTP",
		DefaultPort: DefaultPort,
		Transport:   "tcp",
		About: "FTP moves files over two kinds of TCP connection: a control connection for " +
			"commands (USER, LIST, RETR) and numbered replies (230, 150, 226), and a new data " +
			"connection for each listing or file. In passive mode (PASV, EPSV) the client opens " +
			"the data connection; in active mode (PORT, EPRT) the server does. Watch the password " +
			"cross in clear text, and the data connections appear under the session.",
		States:      machine.States(),
		Transitions: machine.Transitions(),
		NewAnalyzer: func() lab.Analyzer { return NewAnalyzer() },
		Dissector:   lab.Dissector{Name: "ftp", Ports: []uint16{21}},
		Links:       []lab.LinkKind{lab.LinkData},
		Layers:      []*lab.Layer{starttls.Layer()}, // the TLS after AUTH TLS
	}
}

// DataProtocol describes FTP's data connections for the registry: the bytes of
// one listing or file each, opened for one command (see the control connection's
// PASV, EPSV, PORT or EPRT). DefaultPort is 0: their ports are negotiated. The
// lab keeps DataCaptureLimit bytes of each direction and counts and hashes the rest.
func DataProtocol() *lab.Protocol {
	return &lab.Protocol{
		Name:        DataName,
		Title:       "FTP data",
		DefaultPort: 0,
		Transport:   "tcp",
		About: "One FTP data connection carries one listing or one file; in stream mode its end " +
			"(FIN) is the end of the file. The lab counts and hashes its bytes and keeps a preview. " +
			"After PROT P the data connection is TLS; the lab decrypts it with its key log and " +
			"reports the file's own bytes.",
		States:       dataMachine.States(),
		Transitions:  dataMachine.Transitions(),
		NewAnalyzer:  func() lab.Analyzer { return NewDataAnalyzerLimited(DataCaptureLimit) },
		CaptureLimit: DataCaptureLimit,
		// Wireshark follows PASV and EPSV on the control connection and
		// dissects the connections they announce as ftp-data; an active one
		// (PORT) it expects from port 20, so those get a Decode As rule.
		Dissector: lab.Dissector{Name: "ftp-data", ByParent: lab.SideClient},
		Layers:    []*lab.Layer{starttls.Layer()}, // the TLS of a data connection after PROT P
	}
}
