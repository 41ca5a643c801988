package lab

import (
	"sort"
	"time"
)

// trimEvery is how many new conversations may come between two looks for
// ended ones whose events the log no longer holds; fewer when the bound is
// small (trimPeriod).
const trimEvery = 1024

// trimPeriod is trimEvery, or fewer for a small bound: the conversations that
// come between two looks cost at most an eighth of it.
func (h *Hub) trimPeriod() int {
	return max(16, min(trimEvery, int(h.opts.MaxBytes/convCost/8)))
}

// trimConvsLocked forgets the oldest ended conversations past the bound
// (MaxConversations), and the ended ones none of whose events the log still
// holds: there is nothing left to show of them, and their cost counts against
// the bound. h.convMu must be held.
//
// A look past the bound, or while capture is paused, costs a step for each
// conversation remembered (within it, one for each made before the log's
// first event: see mark), so it comes every
// trimPeriod new conversations (an eighth of MaxConversations, if fewer), or
// every eighth of those remembered if more: each new one pays at most 8
// steps, however many are remembered (a flood of live flows past the bound
// included, which no look can forget), and those a look would forget wait for
// it at most an eighth of the remembered ones' cost. Past the bound, then, an
// eighth more may be remembered until the next look. While the log drops
// nothing, no conversation's events leave it, so within the bound a look
// would find nothing: it waits until the log's start moves. (An ended
// conversation's last event, its close, is newer than the start, unless
// capture was paused when it ended: paused, it looks as before.)
func (h *Hub) trimConvsLocked() {
	h.sinceTrim++
	if h.sinceTrim < max(min(h.trimPeriod(), h.opts.MaxConversations/8), len(h.order)/8) {
		return
	}
	excess := len(h.order) - h.opts.MaxConversations
	first := h.firstHeld.Load()
	if excess <= 0 && first == h.trimFirst && !h.paused.Load() {
		return
	}
	h.sinceTrim, h.trimFirst = 0, first
	// Within the bound and not paused, only a conversation made before the
	// log's first event can have none left in it: those made after it
	// (mark at or past first, and the marks grow along the order) hold
	// their newest event or have none yet, and need no look. So a look at
	// a flood of short conversations steps through those it may forget,
	// not every one remembered.
	look := len(h.order)
	if excess <= 0 && !h.paused.Load() {
		look = sort.Search(len(h.order), func(i int) bool { return h.order[i].mark >= first })
	}
	now := time.Now()
	kept := h.order[:0]
	for _, c := range h.order[:look] {
		if excess <= 0 && c.lastSeq.Load() >= first {
			// The log holds its newest event: it stays, whatever its state.
			kept = append(kept, c)
			continue
		}
		c.mu.Lock()
		ended := !c.liveLocked(now)
		gone := ended && (excess > 0 || c.lastSeq.Load() < first)
		if gone {
			c.uncount()
		}
		c.mu.Unlock()
		if gone {
			excess--
			delete(h.convs, c.id)
			if h.byKey[c.key] == c {
				delete(h.byKey, c.key)
			}
			continue
		}
		kept = append(kept, c)
	}
	if len(kept) == look {
		return // none forgotten
	}
	kept = append(kept, h.order[look:]...)
	clear(h.order[len(kept):])
	h.order = kept
}
