package ssh

import "github.com/protocollab/protolab/lab"

// Name is the protocol's name in the registry.
const Name = "sftp"

// DefaultPort is where the lab's SFTP server listens unless told otherwise (the
// well-known port, 22, is usually taken by the computer's own SSH server).
const DefaultPort = 2022

// Layer names the SSH transport layer in messages and events; SFTPLayer names the
// SFTP operations that the lab's server reports inside it.
const (
	Layer     = "ssh"
	SFTPLayer = "sftp"
)

// The states of an SSH connection as the lab sees it.
const (
	StateVersion     = "version"      // a version line was sent (RFC 4253 §4.2)
	StateKexInit     = "kexinit"      // a KEXINIT offered the algorithms (§7.1)
	StateKeyExchange = "key-exchange" // the key exchange proper is under way (§7, §8)
	StateEncrypted   = "encrypted"    // both sides sent NEWKEYS: the rest is encrypted (§7.3)
	StateClosed      = "closed"       // a DISCONNECT, or the connection ended
)

// States are the states in the order a diagram draws them.
var States = []string{StateVersion, StateKexInit, StateKeyExchange, StateEncrypted, StateClosed}

// Transitions are the state changes the analyzer makes; the state moves only along these.
var Transitions = [][2]string{
	{"", StateVersion},
	{StateVersion, StateKexInit},
	{StateKexInit, StateKeyExchange},
	{StateKeyExchange, StateEncrypted},
	{"", StateClosed},
	{StateVersion, StateClosed},
	{StateKexInit, StateClosed},
	{StateKeyExchange, StateClosed},
	{StateEncrypted, StateClosed},
}

// machine is the connection's state machine, which each analyzer copies.
var machine = lab.NewMachine(States, Transitions)

// Protocol describes SFTP over SSH for the registry. It returns a new value on each
// call. The analyzer is SSH's transport (Layer "ssh"); the SFTP operations come from
// the server's reports (Layer "sftp"). NewServer and Settings are left nil: the app
// wires the server in (servers/sftpserver.NewLab and .Settings).
func Protocol() *lab.Protocol {
	return &lab.Protocol{
		Name:        Name,
		Title:       "SFTP (SSH)",
		DefaultPort: DefaultPort,
		Transport:   "tcp",
		Layer:       Layer,
		About: "SFTP moves files inside an SSH connection. What the wire shows is SSH's start: " +
			"both sides name their software, offer their algorithms (KEXINIT), agree on a key by " +
			"Diffie-Hellman signed with the server's host key, and switch on encryption (NEWKEYS). " +
			"From there the bytes are encrypted; the lab's server reports the file operations it carries out.",
		States:      machine.States(),
		Transitions: machine.Transitions(),
		NewAnalyzer: func() lab.Analyzer { return NewAnalyzer() },
		Dissector:   lab.Dissector{Name: "ssh", Ports: []uint16{22}},
	}
}
