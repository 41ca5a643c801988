package redis

import "github.com/protocollab/protolab/lab"

// Name is the protocol's name in the registry; DefaultPort is the lab's port
// for it, beside Redis's own 6379 so that a real Redis may run too.
const (
	Name        = "redis"
	DefaultPort = 6380
)

// The states of a Redis connection.
const (
	StateConnected     = "connected"      // commands need AUTH first, unless the default user is on
	StateAuthenticated = "authenticated"  // the server runs the client's commands
	StateTransaction   = "in transaction" // after MULTI: commands are queued until EXEC or DISCARD
	StateSubscribed    = "subscribed"     // after SUBSCRIBE or PSUBSCRIBE: the server pushes messages
	StateClosed        = "closed"         // the connection ended
)

// States are the connection's states in the order a diagram draws them.
var States = []string{StateConnected, StateAuthenticated, StateTransaction, StateSubscribed, StateClosed}

// Transitions are the moves the analyzer makes. A client that needs no AUTH
// (the default user is on) goes from connected straight to what its first
// command starts; RESET goes back to connected.
var Transitions = [][2]string{
	{"", StateConnected},
	{StateConnected, StateAuthenticated},
	{StateConnected, StateTransaction},
	{StateConnected, StateSubscribed},
	{StateAuthenticated, StateTransaction},
	{StateTransaction, StateAuthenticated},
	{StateAuthenticated, StateSubscribed},
	{StateSubscribed, StateAuthenticated},
	{StateAuthenticated, StateConnected},
	{StateTransaction, StateConnected},
	{StateSubscribed, StateConnected},
	{"", StateClosed},
	{StateConnected, StateClosed},
	{StateAuthenticated, StateClosed},
	{StateTransaction, StateClosed},
	{StateSubscribed, StateClosed},
}

var machine = lab.NewMachine(States, Transitions)

const about = "Redis is an in-memory data store that clients talk to in RESP, a simple protocol of typed " +
	"values: a command is an array of strings (SET greeting hello), and the reply is one typed value — " +
	"a simple string (+OK), an error (-ERR ...), an integer (:1), a bulk string ($5 hello), an array, " +
	"or, once HELLO 3 asks for RESP3, a map, set, double, boolean or push. Clients may send many " +
	"commands before reading (pipelining): replies come back in the same order. MULTI ... EXEC runs " +
	"commands as one transaction, and SUBSCRIBE turns the connection into a pub/sub subscriber."

// Protocol describes Redis's RESP for the registry. It returns a new value on
// each call; NewServer and Settings are left nil: the app wires the server in.
func Protocol() *lab.Protocol {
	return &lab.Protocol{
		Name:        Name,
		Title:       "Redis",
		DefaultPort: DefaultPort,
		Transport:   "tcp",
		About:       about,
		States:      machine.States(),
		Transitions: machine.Transitions(),
		NewAnalyzer: func() lab.Analyzer { return NewAnalyzer() },
		Dissector:   lab.Dissector{Name: "resp", Ports: []uint16{6379}},
	}
}

// Subject is the lab.Publication subject of a message on channel: Redis's
// channels are its own, not the lab broker's subjects ("redis:news").
func Subject(channel string) string { return Name + ":" + channel }
