package lab

// Subscription is one reader's cursor into the hub. It is used from one goroutine.
type Subscription struct {
	h    *Hub
	ch   chan struct{}
	next uint64 // the next sequence number to read

	// A keeping reader's (Keep): the events the bound dropped before it read
	// them, oldest first from behind[head], their cost, and those it could not
	// keep within keepMax. Guarded by h.mu.
	keepMax     int64
	behind      []Event
	head        int
	behindBytes int64
	lost        uint64
}

// Subscribe returns a reader that starts with the oldest event held
// (fromStart) or with the next event published.
func (h *Hub) Subscribe(fromStart bool) *Subscription {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := &Subscription{h: h, ch: make(chan struct{}, 1), next: h.seq + 1}
	if fromStart {
		s.next = 1
	}
	h.subs = append(h.subs, s)
	if fromStart && h.log.len() > 0 {
		s.ch <- struct{}{}
	}
	return s
}

// Keep makes s a reader that misses nothing the hub publishes while it keeps
// up within maxBytes: the events the hub's bound drops before s has read them
// are set aside for s, up to maxBytes of their cost, rather than lost. A
// recording that falls behind for a moment (a burst, a busy disk) keeps
// every event; memory past the bound grows by maxBytes at most, and what is
// past that too is missed as before.
func (s *Subscription) Keep(maxBytes int64) {
	h := s.h
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.keepMax == 0 && maxBytes > 0 {
		h.keeping++
	}
	if s.keepMax > 0 && maxBytes <= 0 {
		h.keeping--
	}
	s.keepMax = max(maxBytes, 0)
}

// setAside keeps e, which the bound drops, for s if s has not read it and
// keeps. h.mu must be held.
func (s *Subscription) setAside(e *Event) {
	if s.keepMax == 0 || e.Seq < s.next {
		return
	}
	// Events s missed before it kept (a subscription from the start of a log
	// that had dropped some already) stay missed: Next counts them.
	if s.next < e.Seq {
		s.lost += e.Seq - s.next
	}
	s.next = e.Seq + 1
	if s.behindBytes+int64(e.cost) > s.keepMax {
		s.lost++
		return
	}
	if s.head > 0 && s.head >= len(s.behind)/2 {
		// What s has read goes once it is half the room.
		n := copy(s.behind, s.behind[s.head:])
		clear(s.behind[n:])
		s.behind, s.head = s.behind[:n], 0
	}
	s.behind = append(s.behind, *e)
	s.behindBytes += int64(e.cost)
}

// Ready is signalled (coalesced: once for any number of events) when events may be waiting.
func (s *Subscription) Ready() <-chan struct{} { return s.ch }

// Next returns up to max events (max ≤ 0: all waiting), and how many events were
// dropped by the hub's bound (or a Clear) before this reader saw them.
func (s *Subscription) Next(max int) (events []Event, missed uint64) { return s.NextAppend(nil, max) }

// NextAppend is Next appending the events to dst, for a reader that reads
// into one buffer again and again rather than a new slice each time. A
// reader done with the events should clear them before reading again, so
// that the buffer holds nothing the hub has let go.
func (s *Subscription) NextAppend(dst []Event, max int) (events []Event, missed uint64) {
	events = dst
	h := s.h
	h.mu.Lock()
	defer h.mu.Unlock()
	missed, s.lost = s.lost, 0
	if s.head < len(s.behind) {
		// What the bound dropped before s read it comes first.
		k := len(s.behind) - s.head
		if max > 0 {
			k = min(k, max)
		}
		events = append(events, s.behind[s.head:s.head+k]...)
		for i := s.head; i < s.head+k; i++ {
			s.behindBytes -= int64(s.behind[i].cost)
			s.behind[i] = Event{}
		}
		if s.head += k; s.head == len(s.behind) {
			s.behind, s.head = nil, 0
		}
		select { // the log's events come next: a reader that waits for Ready comes back
		case s.ch <- struct{}{}:
		default:
		}
		return events, missed
	}
	if h.log.len() > 0 {
		if first := h.log.seq(0); s.next < first {
			missed += first - s.next
			s.next = first
		}
	} else if s.next <= h.seq {
		missed += h.seq + 1 - s.next
		s.next = h.seq + 1
	}
	if max <= 0 {
		max = -1
	}
	if events = h.appendSince(events, s.next, max); len(events) > len(dst) {
		s.next = events[len(events)-1].Seq + 1
	}
	return events, missed
}

// Close stops the subscription.
func (s *Subscription) Close() {
	h := s.h
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, x := range h.subs {
		if x == s {
			h.subs = append(h.subs[:i], h.subs[i+1:]...)
			if s.keepMax > 0 {
				h.keeping--
			}
			s.keepMax, s.behind, s.head, s.behindBytes = 0, nil, 0, 0
			break
		}
	}
}
