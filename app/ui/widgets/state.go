package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// StateDiagram shows a protocol's session states as rounded boxes, in the order the
// protocol lists them, flowing top to bottom: in one column when the height allows,
// otherwise wrapping into further columns, with the names' text made smaller (within
// limits) rather than cut, so that every name stays whole; when even that is too tall
// the diagram scrolls. The current state is filled in accent blue; states visited
// earlier are outlined in blue and carry the numbers of the steps at which they were
// entered.
//
// Edges are arrows. A connector joins two boxes that are neighbours in the list when
// the machine has a transition between them, with a head at each end the machine can
// move to (lit blue when the path took it). Drawing every edge of a machine like
// TCP's would cross the boxes and be unreadable in a narrow column, so the others are
// shown by the path itself: the step numbers give the order, the last transition is
// drawn as an arrow beside the boxes from the state left to the state entered, and a
// line under the boxes names it ("step 7 · FIN-WAIT-1 → FIN-WAIT-2"), flagging in red
// as "unexpected" one the machine does not define. The note set by SetNote (what that
// transition means, and where the RFC says so) is shown below it.
//
// For a machine followed at both ends of a connection (TCP), SetOther names the
// state the other end is in: where it differs from the current state its box is
// ringed in amber and the step line names it ("· server: CLOSE-WAIT").
//
// With no states it shows the text given to SetEmptyText instead. Use it from the
// Fyne goroutine only.
type StateDiagram struct {
	widget.BaseWidget

	states []string
	edges  map[[2]string]bool // both directions of every transition
	path   []string
	other  string   // the other end's state (SetOther)
	room   []string // the longest path the boxes make room for (SetRoom)
	whose  string   // whose it is: "server"
	note   string
	empty  string
}

// NewStateDiagram returns a diagram with no states.
func NewStateDiagram() *StateDiagram {
	d := &StateDiagram{}
	d.ExtendBaseWidget(d)
	return d
}

// SetMachine sets the states, in drawing order, and the transitions between them as
// {from, to} pairs. It keeps the current path.
func (d *StateDiagram) SetMachine(states []string, transitions [][2]string) {
	d.states = append([]string(nil), states...)
	d.edges = make(map[[2]string]bool, 2*len(transitions))
	for _, t := range transitions {
		d.edges[t] = true
	}
	d.Refresh()
}

// SetPath sets the states visited, in order; the last is the current state. An empty
// path means no state has been entered yet.
func (d *StateDiagram) SetPath(path []string) {
	d.path = append([]string(nil), path...)
	d.Refresh()
}

// SetRoom sets the longest path the diagram will be asked to show, such as a
// conversation's whole path while replay steps through it: the boxes make room
// for its step badges, so they do not move as the path shown grows or shrinks
// within it.
func (d *StateDiagram) SetRoom(path []string) {
	d.room = append(d.room[:0], path...)
	d.Refresh()
}

// SetOther sets the state the other end of the connection is in, and whose end
// that is ("server"); "" shows none.
func (d *StateDiagram) SetOther(whose, state string) {
	if d.whose == whose && d.other == state {
		return
	}
	d.whose, d.other = whose, state
	d.Refresh()
}

// Other returns the other end's state as set by SetOther, "" when it is not
// shown: none was set, or it is the current state.
func (d *StateDiagram) Other() string {
	if d.other == d.Current() {
		return ""
	}
	return d.other
}

// Path returns the path shown, oldest first.
func (d *StateDiagram) Path() []string { return append([]string(nil), d.path...) }

// States returns the states of the machine shown, in drawing order.
func (d *StateDiagram) States() []string { return append([]string(nil), d.states...) }

// Current returns the current state (the last of the path), or "" when there is none.
func (d *StateDiagram) Current() string {
	if len(d.path) == 0 {
		return ""
	}
	return d.path[len(d.path)-1]
}

// SetNote sets the text shown under the diagram, e.g. "RFC 9293 §3.6 — FIN: the
// client has no more data to send".
func (d *StateDiagram) SetNote(text string) {
	d.note = text
	d.Refresh()
}

// SetEmptyText sets the text shown when the machine has no states, e.g. for UDP.
func (d *StateDiagram) SetEmptyText(text string) {
	d.empty = text
	d.Refresh()
}

// CreateRenderer implements fyne.Widget.
func (d *StateDiagram) CreateRenderer() fyne.WidgetRenderer {
	return newStateRenderer(d)
}

// adjacentEdge reports whether the machine has a transition between a and b, in
// either direction.
func (d *StateDiagram) adjacentEdge(a, b string) bool {
	return d.edges[[2]string{a, b}] || d.edges[[2]string{b, a}]
}

// stepsInto returns, for every state, the 1-based path steps at which it was entered.
func (d *StateDiagram) stepsInto() map[string][]int { return pathSteps(d.path) }

// pathSteps returns, for every state of path, the 1-based steps at which it was entered.
func pathSteps(path []string) map[string][]int {
	steps := make(map[string][]int)
	for i, s := range path {
		steps[s] = append(steps[s], i+1)
	}
	return steps
}

// walked reports whether the path moved directly between a and b, either way.
func (d *StateDiagram) walked(a, b string) bool {
	for i := 1; i < len(d.path); i++ {
		p, q := d.path[i-1], d.path[i]
		if (p == a && q == b) || (p == b && q == a) {
			return true
		}
	}
	return false
}
