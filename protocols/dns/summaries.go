package dns

import (
	"hash/maphash"
	"sync"
)

// A resolver's flood asks the same few questions and gets the same answers,
// each query from a socket of its own (a flow, and an analyzer, of its own),
// the messages differing only in their ID, which a summary does not show. So
// the summaries of recent messages are remembered by their bytes past the ID,
// shared by every analyzer: a message seen before is summed up without
// unpacking it again, and its summary's text is shared.
var summaries = summaryCache{seed: maphash.MakeSeed()}

// Messages past maxSummarized bytes are summed up each time: a cache of 256
// holds at most 128 KiB of them.
const maxSummarized = 512

// summaryCache is a direct-mapped cache of summaries by message bytes past
// the ID (a message's first two bytes). Safe for concurrent use.
type summaryCache struct {
	seed  maphash.Seed
	mu    sync.Mutex
	slots [256]summarySlot
}

type summarySlot struct {
	key     []byte // the message's bytes past its ID, a copy
	summary string
}

// get returns the summary of body (a whole DNS message) if it is
// remembered, and the slot where put remembers it: -1 for a message not
// remembered at all.
func (s *summaryCache) get(body []byte) (slot int, summary string, ok bool) {
	if len(body) < 2 || len(body) > maxSummarized {
		return -1, "", false
	}
	key := body[2:]
	slot = int(maphash.Bytes(s.seed, key) % uint64(len(s.slots)))
	s.mu.Lock()
	defer s.mu.Unlock()
	if sl := &s.slots[slot]; sl.summary != "" && string(sl.key) == string(key) {
		return slot, sl.summary, true
	}
	return slot, "", false
}

// put remembers summary as body's in slot (from get), in place of what it
// held, whose room it reuses.
func (s *summaryCache) put(slot int, body []byte, summary string) {
	if slot < 0 {
		return
	}
	s.mu.Lock()
	sl := &s.slots[slot]
	sl.key, sl.summary = append(sl.key[:0], body[2:]...), summary
	s.mu.Unlock()
}
