package lab

import "fmt"

// Machine is a session's state machine: the states a protocol's sessions go
// through, the moves allowed between them, and the state one session is in.
//
// A protocol package makes its Machine once, from the states and transitions it
// declares (NewMachine); its Protocol's States and Transitions come from it, and
// each of its analyzers starts from a copy of it. Copying a Machine gives a
// machine of the same definition in the same state, independent from then on:
// the definition never changes, and copies share it. The zero Machine has no
// states and allows no move. Like an analyzer, a Machine is used from one
// goroutine at a time.
type Machine struct {
	def   *machineDef
	state string
}

// machineDef is what the copies of a Machine share.
type machineDef struct {
	states  []string
	moves   [][2]string
	allowed map[[2]string]bool
}

// NewMachine returns a machine in no state yet ("") whose sessions go through
// states, in the order a diagram draws them, and move only along transitions
// ({from, to}; from is "" for a move out of no state yet). It keeps copies of both.
// It panics if a state is empty or listed twice, or if a transition names a state
// that is not listed: that is a mistake in a protocol's description.
func NewMachine(states []string, transitions [][2]string) Machine {
	d := &machineDef{
		states:  append([]string(nil), states...),
		moves:   append([][2]string(nil), transitions...),
		allowed: make(map[[2]string]bool, len(transitions)),
	}
	known := make(map[string]bool, len(states))
	for _, s := range states {
		if s == "" || known[s] {
			panic(fmt.Sprintf("lab: NewMachine: state %q is empty or listed twice", s))
		}
		known[s] = true
	}
	for _, t := range transitions {
		if t[0] != "" && !known[t[0]] || !known[t[1]] {
			panic(fmt.Sprintf("lab: NewMachine: transition %q → %q names a state that is not listed", t[0], t[1]))
		}
		d.allowed[t] = true
	}
	return Machine{def: d}
}

// States returns the machine's states, in the order a diagram draws them: a new
// slice on each call, for a Protocol's States.
func (m *Machine) States() []string {
	if m.def == nil {
		return nil
	}
	return append([]string(nil), m.def.states...)
}

// Transitions returns the moves the machine allows: a new slice on each call, for
// a Protocol's Transitions.
func (m *Machine) Transitions() [][2]string {
	if m.def == nil {
		return nil
	}
	return append([][2]string(nil), m.def.moves...)
}

// State is the session's current state, "" before any.
func (m *Machine) State() string { return m.state }

// Can reports whether a move from the current state to next is allowed. Staying
// in the current state is not a move, and no state is named "".
func (m *Machine) Can(next string) bool {
	return m.def != nil && next != "" && next != m.state && m.def.allowed[[2]string{m.state, next}]
}

// Move moves the session to next if that move is allowed (Can), and then sets
// msg's NextState to next, so the message is the one that caused it; msg may be
// nil for a move no message of its own causes. Move reports whether it moved: a
// move the transitions do not list, such as one caused by input out of order,
// leaves the state and msg as they were.
func (m *Machine) Move(msg *Message, next string) bool {
	if !m.Can(next) {
		return false
	}
	m.state = next
	if msg != nil {
		msg.NextState = next
	}
	return true
}

// Start puts a session that is in no state yet in the machine's first state (the
// first of its States), as the start of a connection does, and reports whether it
// did.
func (m *Machine) Start() bool {
	if m.state != "" || m.def == nil || len(m.def.states) == 0 {
		return false
	}
	m.state = m.def.states[0]
	return true
}

// Set puts the session in state whatever the transitions say: for what a
// protocol's diagram does not draw as a move (a TCP reset from any state, the end
// of the connection) or for a session that carries on another's state (the
// analyzer inside TLS after STARTTLS). "" puts it back in no state.
func (m *Machine) Set(state string) { m.state = state }

// End puts the session in its last state, end, as the connection ends, whatever
// the transitions say, and returns out with the message that says so: the last
// of out gets NextState end, or closing does, added when out is empty (a zero
// closing adds nothing). A session already in end is left as it is, and so is out.
func (m *Machine) End(out []Message, end string, closing Message) []Message {
	if m.state == end {
		return out
	}
	m.state = end
	if len(out) == 0 {
		if closing.Summary == "" {
			return out
		}
		out = append(out, closing)
	}
	out[len(out)-1].NextState = end
	return out
}

// StateField names the field in which a message of an analyzer that follows both
// ends of a connection (TCP) gives the state end side is in after the message:
// "client's state", "server's state". The inspector reads the two to show both
// ends where they differ (FIN-WAIT-2 on one, CLOSE-WAIT on the other).
func StateField(side Side) string { return side.String() + "'s state" }
