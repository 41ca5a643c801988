package lab

import (
	"context"
	"errors"
	"io"
	"reflect"
	"testing"
)

// captureEcho runs two echo exchanges through a tapped server and client on h,
// links the second under the first, and returns once both have ended.
func captureEcho(t *testing.T, h *Hub, tap *Tap) {
	t.Helper()
	addr := echoServer(t, tap)
	var ids []ConvID
	for _, msg := range []string{"hello\nworld\n", "again\n"} {
		c, err := tap.Dial(context.Background(), "tcp", addr.String())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, make([]byte, len(msg))); err != nil {
			t.Fatal(err)
		}
		id := ConnConversation(c).ID()
		c.Close()
		waitEnded(t, h, id)
		ids = append(ids, id)
	}
	h.Conversation(ids[1]).SetLink(Link{Kind: LinkData, Parent: ids[0], Label: "second"})
	h.Settle()
}

// sameEvents compares what the inspector shows of two event lists.
func sameEvents(t *testing.T, got, want []Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d events, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		g.Seq, w.Seq, g.cost, w.cost = 0, 0, 0, 0
		if !g.At.Equal(w.At) {
			t.Errorf("event %d At = %v, want %v", i, g.At, w.At)
		}
		g.At = w.At
		if !reflect.DeepEqual(g, w) {
			t.Errorf("event %d = %+v, want %+v", i, g, w)
		}
		if i > 0 && got[i].Seq <= got[i-1].Seq {
			t.Errorf("event %d Seq %d after %d, want increasing", i, got[i].Seq, got[i-1].Seq)
		}
	}
}

func TestImportRecreatesCapture(t *testing.T) {
	h, tap := testHub(t)
	captureEcho(t, h, tap)
	convs, events := h.Conversations(), h.Events(0)
	if len(convs) != 2 || len(events) == 0 {
		t.Fatalf("captured %d conversations and %d events, want 2 and some", len(convs), len(events))
	}

	fresh := NewHub(HubOptions{Registry: h.Registry()})
	fresh.SetPaused(true) // an import is not a capture
	sub := fresh.Subscribe(false)
	if err := fresh.Import(convs, events); err != nil {
		t.Fatalf("Import: %v", err)
	}
	if got := fresh.Conversations(); !reflect.DeepEqual(got, convs) {
		t.Errorf("Conversations() =\n%+v\nwant\n%+v", got, convs)
	}
	for _, ci := range convs {
		c := fresh.Conversation(ci.ID)
		if c == nil {
			t.Fatalf("Conversation(%d) = nil", ci.ID)
		}
		if got := c.Info(true); !reflect.DeepEqual(got, ci) {
			t.Errorf("Conversation(%d).Info = %+v, want %+v", ci.ID, got, ci)
		}
		if c.Live() {
			t.Errorf("Conversation(%d) is live, want ended", ci.ID)
		}
		sameEvents(t, fresh.ConvEvents(ci.ID), h.ConvEvents(ci.ID))
	}
	sameEvents(t, fresh.Events(0), events)
	got, missed := sub.Next(0)
	if missed != 0 || len(got) != len(events) {
		t.Errorf("a subscriber got %d events (%d missed), want %d (0)", len(got), missed, len(events))
	}

	// Imported again, a conversation whose ID is taken gets a new one.
	if err := fresh.Import(convs[:1], fresh.ConvEvents(convs[0].ID)); err != nil {
		t.Fatal(err)
	}
	all := fresh.Conversations()
	if len(all) != 3 || all[2].ID == convs[0].ID {
		t.Fatalf("after a second import: %+v, want a third conversation with a new ID", all)
	}
	want := h.ConvEvents(convs[0].ID)
	for i := range want {
		want[i].Conv = all[2].ID
	}
	sameEvents(t, fresh.ConvEvents(all[2].ID), want)
}

func TestImportKeepsBound(t *testing.T) {
	h, tap := testHub(t)
	captureEcho(t, h, tap)
	convs, events := h.Conversations(), h.Events(0)

	small := NewHub(HubOptions{MaxBytes: 2000, Registry: h.Registry()})
	sub := small.Subscribe(true)
	err := small.Import(convs, events)
	var trimmed *ImportTrimmedError
	if !errors.As(err, &trimmed) {
		t.Fatalf("Import into a small hub: %v, want an *ImportTrimmedError", err)
	}
	st := small.Stats()
	if trimmed.Dropped == 0 || trimmed.Dropped+st.Events != len(events) || trimmed.Events != len(events) {
		t.Errorf("dropped %d + held %d, want > 0 and %d in all", trimmed.Dropped, st.Events, len(events))
	}
	if st.Bytes > 2000 {
		t.Errorf("hub holds %d bytes, bound is 2000", st.Bytes)
	}
	held, missed := sub.Next(0)
	if int(missed) != trimmed.Dropped {
		t.Errorf("a reader missed %d, want %d", missed, trimmed.Dropped)
	}
	sameEvents(t, held, events[trimmed.Dropped:])
	if len(small.Conversations()) != len(convs) {
		t.Errorf("%d conversations, want %d", len(small.Conversations()), len(convs))
	}
}

// TestImportHoldsOnlyWhatFits imports far more events than the bound holds: the
// hub's log takes room for the events it keeps, not for all of them.
func TestImportHoldsOnlyWhatFits(t *testing.T) {
	const n = 100_000
	events := make([]Event, n)
	for i := range events {
		events[i] = Event{Conv: 1, Kind: KindData, Data: []byte("0123456789")}
	}
	h := NewHub(HubOptions{MaxBytes: 64 << 10})
	err := h.Import([]ConvInfo{{ID: 1, Protocol: "tcp", Transport: "tcp"}}, events)
	var trimmed *ImportTrimmedError
	if !errors.As(err, &trimmed) {
		t.Fatalf("Import: %v, want an *ImportTrimmedError", err)
	}
	st := h.Stats()
	if trimmed.Dropped+st.Events != n || st.Dropped != uint64(trimmed.Dropped) || st.LastSeq != n {
		t.Errorf("dropped %d (stats %d) + held %d, last seq %d; want %d in all", trimmed.Dropped, st.Dropped, st.Events, st.LastSeq, n)
	}
	if st.Bytes > 64<<10 || st.FirstSeq != uint64(trimmed.Dropped)+1 {
		t.Errorf("hub holds %d bytes from seq %d, want ≤ %d from %d", st.Bytes, st.FirstSeq, 64<<10, trimmed.Dropped+1)
	}
	h.mu.Lock()
	room := len(h.log.chunks) * chunkLen
	h.mu.Unlock()
	if room > st.Events+2*chunkLen {
		t.Errorf("the log has room for %d events to hold %d", room, st.Events)
	}
}
