package ui

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/tcpclient"
	"github.com/protocollab/protolab/lab"
)

// floodEvents is how many events a flood publishes.
const floodEvents = 200_000

// tcpConversation starts the TCP server, exchanges a line with it over a real
// connection through the lab's tap and returns that connection's conversation.
func tcpConversation(tb testing.TB, w *Window) lab.ConvID {
	tb.Helper()
	st := started(tb, w, "tcp")
	got := make(chan struct{}, 1)
	c, err := tcpclient.Dial(context.Background(), st.Addr, tcpclient.Options{
		Tap:    w.hub.Tap(w.reg.Lookup("tcp")),
		OnData: func([]byte) { got <- struct{}{} },
	})
	if err != nil {
		tb.Fatalf("Dial(%s): %v", st.Addr, err)
	}
	tb.Cleanup(func() { _ = c.Abort() })
	if err := c.Send([]byte("hello\n")); err != nil {
		tb.Fatal(err)
	}
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		tb.Fatal("no echo from the TCP server")
	}
	id := c.Conversation()
	if id == 0 {
		tb.Fatal("the connection is in no conversation")
	}
	return id
}

// flood publishes n messages of conversation id to the hub.
func flood(h *lab.Hub, id lab.ConvID, n int) {
	msg := &lab.Message{Summary: "6 bytes \"hello\\n\"", Meaning: "a line of the flood"}
	for i := range n {
		dir := lab.ClientToServer
		if i%2 == 1 {
			dir = lab.ServerToClient
		}
		h.Publish(lab.Event{Conv: id, Kind: lab.KindMessage, Dir: dir, Side: lab.SideServer, Layer: "tcp", Msg: msg})
	}
}

// TestFloodUpdatesAtTickRate publishes floodEvents events from another goroutine
// while the window's ticker runs: the inspector is updated about once a tick, not
// once an event, and still reads every event in the end.
func TestFloodUpdatesAtTickRate(t *testing.T) {
	w := testWindow(t)
	id := tcpConversation(t, w)
	w.refresh()

	var updates, refreshes atomic.Int64
	var floodDone atomic.Bool
	caughtUp := make(chan struct{})
	last := w.hub.Stats().LastSeq + floodEvents
	w.onRefresh = func(inspected bool) { // on the ticker's goroutine
		refreshes.Add(1)
		if inspected {
			updates.Add(1)
		}
		if floodDone.Load() && !w.insp.Behind() && w.hub.Stats().LastSeq >= last {
			select {
			case <-caughtUp:
			default:
				close(caughtUp)
			}
		}
	}
	missedBefore := w.insp.Missed()
	updatesBefore, readBefore := w.insp.Reads()
	begin := time.Now()
	w.Show()
	go func() {
		flood(w.hub, id, floodEvents)
		floodDone.Store(true)
		w.changed()
	}()
	select {
	case <-caughtUp:
	case <-time.After(30 * time.Second):
		t.Fatalf("the window did not catch up with the flood: %d refreshes, %d updates", refreshes.Load(), updates.Load())
	}
	w.Close() // waits for the ticker to stop
	elapsed := time.Since(begin)

	ticks := uint64(elapsed/(time.Second/refreshRate)) + 2
	// Every event of the flood was read or, dropped by the hub's bounded log
	// before the inspector came to it (a slow machine), counted as missed; the
	// inspector read at most 50,000 an update, and updated at most once a tick.
	n, read := w.insp.Reads()
	n, read = n-updatesBefore, read-readBefore
	missed := w.insp.Missed() - missedBefore
	if read+missed < floodEvents {
		t.Errorf("the inspector read %d events and missed %d of a flood of %d: some were skipped", read, missed, floodEvents)
	}
	if n > ticks || n*50_000 < read {
		t.Errorf("%d events in %v: %d inspector updates read %d (%d missed); want at most 50,000 an update and at most one update a tick (%d)",
			floodEvents, elapsed, n, read, missed, ticks)
	}
	if testing.Verbose() {
		t.Logf("%d events in %v: %d refreshes (%d with the inspector's update counted), %d inspector updates read %d, %d missed",
			floodEvents, elapsed, refreshes.Load(), updates.Load(), n, read, missed)
	}
}

// BenchmarkRefreshTick measures one refresh of the window (the inspector's update,
// the server logs, the rail, the toolbar and the panes) with a backlog of
// 100,000 events waiting in the hub.
func BenchmarkRefreshTick(b *testing.B) {
	w := testWindow(b)
	id := tcpConversation(b, w)
	w.refresh()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		flood(w.hub, id, 100_000)
		b.StartTimer()
		w.refresh()
	}
}
