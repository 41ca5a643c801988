package lab

import (
	"net"
	"testing"
	"time"
)

// lateNote is an analyzer that, fed its first bytes, has a tap note an
// error on its conversation: work queued while the analysis runs the chunk
// in which the conversation ends.
type lateNote struct {
	c    **Conversation
	done bool
}

func (a *lateNote) Feed(Dir, []byte, time.Time) []Message {
	if !a.done {
		a.done = true
		(*a.c).fault(SideServer, KindError, "noted while the analysis ran")
	}
	return nil
}

func (*lateNote) State() string { return "" }

// TestWorkQueuedAsItEndsIsKept: what a tap queues while the analysis runs the
// chunk that ends its conversation is analyzed and published after the end,
// not dropped with the conversation's spare room.
func TestWorkQueuedAsItEndsIsKept(t *testing.T) {
	var conv *Conversation
	reg := &Registry{}
	p := &Protocol{Name: "late", Transport: "tcp", NewAnalyzer: func() Analyzer { return &lateNote{c: &conv} }}
	reg.Register(p)
	h := NewHub(HubOptions{Registry: reg})
	client := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
	server := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 7}
	conv = h.attach(p, client, server, SideServer, false, OpenInfo{})
	h.Settle()
	for armed := true; armed; time.Sleep(time.Millisecond) {
		// The hub's analysis goroutine, started by the open, has gone.
		h.anMu.Lock()
		armed = h.anArmed
		h.anMu.Unlock()
	}
	// Marked as worked on, the conversation does not start the hub's
	// analysis goroutine: the bytes and the end are queued first, and the
	// rounds below run them in one chunk.
	conv.mu.Lock()
	conv.working = true
	conv.mu.Unlock()
	conv.data(SideServer, ClientToServer, []byte("hello\n"), time.Now())
	conv.localClosed(SideServer)
	for round := []*Conversation{conv}; len(round) > 0; {
		round = h.analyzeRound(round)
	}
	h.Settle()
	found := false
	for _, e := range h.ConvEvents(conv.ID()) {
		found = found || e.Kind == KindError && e.Text == "noted while the analysis ran"
	}
	if !found {
		t.Error("the error noted while the conversation ended is not in the log")
	}
	if conv.Live() {
		t.Error("the conversation is live after its end")
	}
}
