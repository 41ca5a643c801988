package inspector

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// TestReplaySteps walks a finished conversation message by message: the cursor,
// the diagram's selection and the state path as it stood at each message follow.
func TestReplaySteps(t *testing.T) {
	h, reg, p := newLab(0)
	in := newTestInspector(t, h, reg)
	addr := echoServer(t, h.Tap(p))
	id := exchange(t, h.Tap(p), addr, "hello", "quit")
	waitEnded(t, h, id)
	h.Settle()
	in.Update()
	in.Select(id)
	n := in.rows()
	if n < 4 {
		t.Fatalf("%d rows, want the two lines and their echoes", n)
	}
	full := in.model.Conv(id).Path("line")

	in.replay.step(0, true)
	if in.selMsg != 0 || in.seq.Selected() != 0 {
		t.Fatalf("after ⏮: cursor %d, diagram %d; want 0", in.selMsg, in.seq.Selected())
	}
	first := in.state.Current()
	if first == full[len(full)-1] && len(full) > 1 {
		t.Errorf("state at the first message = %q, the final state: the diagram does not follow the cursor", first)
	}
	for i := 1; i < n; i++ {
		in.replay.step(1, false)
		if in.selMsg != i || in.seq.Selected() != i {
			t.Fatalf("step %d: cursor %d, diagram %d", i, in.selMsg, in.seq.Selected())
		}
		if want := in.pathAt(i); !slices.Equal(in.state.Path(), want) {
			t.Errorf("step %d: state path %q, want %q", i, in.state.Path(), want)
		}
	}
	in.replay.step(1, false) // past the end stays at the end
	if in.selMsg != n-1 {
		t.Errorf("stepping past the end: cursor %d, want %d", in.selMsg, n-1)
	}
	if got, want := in.replay.where.Text, "message 4 of 4"; n == 4 && got != want {
		t.Errorf("replay label %q, want %q", got, want)
	}
	in.replay.step(-1, false)
	if in.selMsg != n-2 {
		t.Errorf("after ◀: cursor %d, want %d", in.selMsg, n-2)
	}
	in.selectMsg(-1, fromList)
	if got := in.state.Current(); got != full[len(full)-1] {
		t.Errorf("with no message selected the state is %q, want the last one %q", got, full[len(full)-1])
	}
}

// TestReplayCountFollowsTheShownConversation shows two conversations of
// different lengths in turn, with no update in between: the counter says each
// one's own count at once.
func TestReplayCountFollowsTheShownConversation(t *testing.T) {
	h, reg, p := newLab(0)
	in := newTestInspector(t, h, reg)
	addr := echoServer(t, h.Tap(p))
	short := exchange(t, h.Tap(p), addr, "hello")
	long := exchange(t, h.Tap(p), addr, "one", "two", "three", "four")
	waitEnded(t, h, short)
	waitEnded(t, h, long)
	h.Settle()
	in.Update()
	for _, id := range []lab.ConvID{long, short, long} {
		in.Select(id)
		want := fmt.Sprintf("%d messages", in.rows())
		if got := in.replay.where.Text; got != want {
			t.Errorf("conversation %d shown: the counter says %q, want %q", id, got, want)
		}
	}
}

// TestReplaySaysWhyNoRows shows a conversation the hub knows without any of its
// events (as a session saved past its bound reopens): the counter says so.
func TestReplaySaysWhyNoRows(t *testing.T) {
	h, reg, p := newLab(0)
	in := newTestInspector(t, h, reg)
	now := time.Now()
	if err := h.Import([]lab.ConvInfo{{ID: 7, Protocol: p.Name, Transport: "tcp", Client: "127.0.0.1:40000", Server: "127.0.0.1:7000", Start: now, End: now, Last: now}}, nil); err != nil {
		t.Fatal(err)
	}
	in.Update()
	var id lab.ConvID
	for _, ci := range h.Conversations() {
		id = ci.ID
	}
	in.Select(id)
	if got, want := in.replay.where.Text, "no events held for this conversation"; got != want {
		t.Errorf("counter = %q, want %q", got, want)
	}
}
