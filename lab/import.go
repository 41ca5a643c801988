package lab

import (
	"fmt"
	"time"
)

// ImportTrimmedError is what Import returns when a session holds more than the
// hub's bound (HubOptions.MaxBytes): the newest events were loaded, the oldest
// Dropped were left out and counted as missed, as a live capture would have lost
// them. The hub is usable; the error only says what is missing.
type ImportTrimmedError struct {
	Dropped  int   // events left out
	Events   int   // events in the session
	MaxBytes int64 // the hub's bound
}

func (e *ImportTrimmedError) Error() string {
	return fmt.Sprintf("lab: the session's %d events are more than the capture limit of %s holds: its oldest %d were left out (raise the limit to see them all)",
		e.Events, sizeText(e.MaxBytes), e.Dropped)
}

// Import recreates saved conversations and their events in h, as a reopened lab
// session shows them: each conversation ended (not live) with its saved info
// (endpoints, times, byte and message counts, state, who closed it and how, its
// parent and label, the kernel's last view), and the events published in order
// after any h already holds, with new sequence numbers. Analyzers are not rerun:
// the events already carry their messages. Import clears nothing; call Clear first
// for a fresh view.
//
// Conversations keep their IDs, so that Event.Conv and ConvInfo.Link.Parent still point
// where they did, unless an ID is taken by a conversation h already holds (a live
// one that Clear kept): then that conversation, its events and its children get a
// new ID. Events of an ID not among convs keep it on the same terms.
//
// The hub's bounds hold: past MaxBytes the oldest events are dropped (readers are
// told they missed them) and Import returns an *ImportTrimmedError saying how many;
// past MaxConversations the oldest conversations are forgotten. Capture being
// paused does not stop an import. events' Data and Msg are kept, not copied.
func (h *Hub) Import(convs []ConvInfo, events []Event) error {
	h.convMu.Lock()
	ids := make(map[ConvID]ConvID, len(convs))
	var top ConvID
	for _, ci := range convs {
		if ci.ID > top {
			top = ci.ID
		}
	}
	for i := range events {
		if events[i].Conv > top {
			top = events[i].Conv
		}
	}
	h.convSeq = max(h.convSeq, top)
	// remap returns the ID a saved ID has in h, giving a fresh one to an ID that a
	// conversation already in h holds.
	remap := func(id ConvID) ConvID {
		if id == 0 {
			return 0
		}
		if to, ok := ids[id]; ok {
			return to
		}
		to := id
		if h.convs[id] != nil {
			h.convSeq++
			to = h.convSeq
		}
		ids[id] = to
		return to
	}
	made := make([]*Conversation, 0, len(convs))
	byID := make(map[ConvID]*Conversation, len(convs))
	for _, ci := range convs {
		if _, dup := ids[ci.ID]; dup || ci.ID == 0 {
			continue // a damaged list: the first of an ID wins
		}
		c := h.imported(ci, remap(ci.ID))
		made = append(made, c)
		byID[c.id] = c
	}
	for _, c := range made {
		if c.link != nil {
			c.link.Parent = remap(c.link.Parent)
		}
		c.mark = h.newest.Load()
		h.convs[c.id] = c
		h.order = append(h.order, c)
	}
	for i := range events {
		remap(events[i].Conv)
	}
	h.trimConvsLocked()
	h.convMu.Unlock()

	h.mu.Lock()
	// Only the newest events that fit the bound can stay: the older ones get
	// their sequence numbers and count as dropped, without ever being held.
	skip := fitting(events, h.opts.MaxBytes)
	first := h.seq + 1
	h.seq += uint64(skip)
	h.dropped += uint64(skip)
	now := time.Now()
	for _, e := range events[skip:] {
		e.Conv = ids[e.Conv]
		if e.At.IsZero() {
			e.At = now
		}
		seq := h.appendLocked(&e)
		if c := byID[e.Conv]; c != nil {
			c.lastSeq.Store(seq)
		}
	}
	lost := 0
	if len(events) > 0 {
		held := first + uint64(len(events)) // past the last imported
		if h.log.len() > 0 {
			held = max(h.log.seq(0), first)
		}
		lost = int(held - first)
	}
	h.storeFirstLocked()
	h.wakeLocked()
	h.mu.Unlock()
	h.notifyConv(0)
	if lost > 0 {
		return &ImportTrimmedError{Dropped: lost, Events: len(events), MaxBytes: h.opts.MaxBytes}
	}
	return nil
}

// fitting returns how many of events, oldest first, do not fit the bound
// max together with those after them: the newest events that fit are kept.
func fitting(events []Event, max int64) int {
	var n int64
	for i := len(events) - 1; i >= 0; i-- {
		n += events[i].size()
		if n > max {
			return i + 1
		}
	}
	return 0
}

// imported makes an ended conversation from its saved info. It has no taps and
// no analyzers: a stand-in layer only holds its last state.
func (h *Hub) imported(ci ConvInfo, id ConvID) *Conversation {
	p := h.opts.Registry.Lookup(ci.Protocol)
	if p == nil {
		p = &Protocol{Name: ci.Protocol, Transport: ci.Transport}
	}
	end, how := ci.End, ci.CloseHow
	if end.IsZero() { // saved while live: it ended with its last activity
		end = ci.Last
		if ci.Datagram && how == "" {
			how = HowIdle
		}
	}
	c := &Conversation{
		hub:      h,
		id:       id,
		proto:    p,
		key:      convKey{ci.Transport, ci.Client, ci.Server},
		start:    ci.Start,
		datagram: ci.Datagram,
		closedBy: ci.ClosedBy,
		how:      how,
		end:      end,
		last:     ci.Last,
		msgs:     ci.Messages,
		kernel:   ci.Kernel,
		link:     linkOf(ci.Link),
		layers:   []*layer{{name: p.LayerName(), a: savedState(ci.State), state: ci.State}},
	}
	c.bytes[ClientToServer] = ci.BytesC2S
	c.bytes[ServerToClient] = ci.BytesS2C
	c.attached[SideClient] = ci.ClientSeen
	c.attached[SideServer] = ci.ServerSeen
	c.closed = c.attached
	switch ci.CloseHow {
	case HowRST:
		c.rst = true
	case HowFIN:
		c.fin[ci.ClosedBy] = true
	}
	return c
}

// savedState stands in for the analyzer of an imported conversation: it reads
// nothing and stays in the state the conversation was saved in.
type savedState string

func (s savedState) Feed(Dir, []byte, time.Time) []Message { return nil }
func (s savedState) State() string                         { return string(s) }
