package lab

import (
	"slices"
	"testing"
)

// door is a small machine for the tests: a door that opens, closes and locks.
var door = NewMachine(
	[]string{"closed", "open", "locked"},
	[][2]string{{"", "closed"}, {"closed", "open"}, {"open", "closed"}, {"closed", "locked"}, {"locked", "closed"}},
)

var moveTests = []struct {
	from, next string
	moved      bool
}{
	{"", "closed", true},
	{"", "open", false}, // not listed
	{"closed", "open", true},
	{"closed", "closed", false}, // staying is not a move
	{"open", "locked", false},
	{"locked", "closed", true},
	{"closed", "", false},
	{"open", "nowhere", false},
}

func TestMachineMove(t *testing.T) {
	for _, tt := range moveTests {
		m := door
		m.Set(tt.from)
		if got := m.Can(tt.next); got != tt.moved {
			t.Errorf("%q: Can(%q) = %v, want %v", tt.from, tt.next, got, tt.moved)
		}
		msg := Message{Summary: "push"}
		if got := m.Move(&msg, tt.next); got != tt.moved {
			t.Errorf("%q: Move(%q) = %v, want %v", tt.from, tt.next, got, tt.moved)
		}
		want, wantNext := tt.from, ""
		if tt.moved {
			want, wantNext = tt.next, tt.next
		}
		if m.State() != want || msg.NextState != wantNext {
			t.Errorf("%q → %q: State() = %q, NextState = %q; want %q, %q", tt.from, tt.next, m.State(), msg.NextState, want, wantNext)
		}
	}
}

func TestMachineMoveWithoutMessage(t *testing.T) {
	m := door
	if !m.Move(nil, "closed") || m.State() != "closed" {
		t.Fatalf("Move(nil, closed) from no state: state %q, want closed", m.State())
	}
}

func TestMachineCopiesAreIndependent(t *testing.T) {
	a := door
	a.Move(nil, "closed")
	b := a
	b.Move(nil, "open")
	if a.State() != "closed" || b.State() != "open" || door.State() != "" {
		t.Errorf("states %q, %q and the original's %q; want closed, open and none", a.State(), b.State(), door.State())
	}
}

func TestMachineStart(t *testing.T) {
	m := door
	if !m.Start() || m.State() != "closed" {
		t.Fatalf("Start: state %q, want the first state, closed", m.State())
	}
	m.Move(nil, "open")
	if m.Start() || m.State() != "open" {
		t.Errorf("a second Start moved the state to %q, want it left open", m.State())
	}
	var zero Machine
	if zero.Start() || zero.Move(nil, "closed") || zero.Can("closed") {
		t.Error("the zero Machine started or moved")
	}
}

func TestMachineSet(t *testing.T) {
	m := door
	m.Set("locked") // not a move from no state, but Set jumps
	if m.State() != "locked" {
		t.Errorf("Set(locked): state %q", m.State())
	}
	m.Set("")
	if m.State() != "" {
		t.Errorf("Set(\"\"): state %q, want none", m.State())
	}
}

func TestMachineDescribes(t *testing.T) {
	states := []string{"a", "b"}
	moves := [][2]string{{"a", "b"}}
	m := NewMachine(states, moves)
	states[0], moves[0][1] = "changed", "changed"
	got := m.States()
	if !slices.Equal(got, []string{"a", "b"}) || !slices.Equal(m.Transitions(), [][2]string{{"a", "b"}}) {
		t.Fatalf("States, Transitions = %q, %q: the machine did not keep its own copies", got, m.Transitions())
	}
	got[0] = "changed"
	if m.States()[0] != "a" {
		t.Error("States returned the machine's own slice")
	}
	var zero Machine
	if zero.States() != nil || zero.Transitions() != nil {
		t.Error("the zero Machine has states or transitions")
	}
}

func TestNewMachinePanicsOnMistakes(t *testing.T) {
	for _, tt := range []struct {
		name   string
		states []string
		moves  [][2]string
	}{
		{"empty state", []string{"a", ""}, nil},
		{"state twice", []string{"a", "a"}, nil},
		{"unknown to", []string{"a"}, [][2]string{{"a", "b"}}},
		{"unknown from", []string{"a"}, [][2]string{{"b", "a"}}},
		{"to no state", []string{"a"}, [][2]string{{"a", ""}}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: NewMachine did not panic", tt.name)
				}
			}()
			NewMachine(tt.states, tt.moves)
		}()
	}
}

func TestMachineEnd(t *testing.T) {
	bye := Message{Summary: "connection closed"}
	m := door
	m.Set("open")
	out := m.End([]Message{{Summary: "a"}, {Summary: "b"}}, "locked", bye)
	if m.State() != "locked" || len(out) != 2 || out[1].NextState != "locked" || out[0].NextState != "" {
		t.Errorf("End with messages: state %q, messages %+v; want the last one to lock", m.State(), out)
	}
	if again := m.End(nil, "locked", bye); len(again) != 0 {
		t.Errorf("End of an ended session added %+v", again)
	}
	m.Set("closed")
	if out := m.End(nil, "locked", bye); len(out) != 1 || out[0].Summary != bye.Summary || out[0].NextState != "locked" {
		t.Errorf("End without messages = %+v, want the closing message moving to locked", out)
	}
	m.Set("")
	if out := m.End(nil, "locked", Message{}); len(out) != 0 || m.State() != "locked" {
		t.Errorf("End with no closing message: %+v, state %q; want no message and locked", out, m.State())
	}
}
