package conns

import (
	"sync"
	"time"
)

// maxRecent bounds the peers a Recent remembers.
const maxRecent = 65_536

// Recent is the peers a datagram server heard from lately (UDP echo, DNS,
// STUN): Heard notes one, Count says how many spoke within the window. It
// remembers at most 65,536; past that the silent ones are forgotten, or all
// of them if none is silent, so a flood from many addresses cannot grow it.
// The zero value is empty and ready; it is safe for concurrent use.
type Recent struct {
	mu    sync.Mutex
	peers map[string]time.Time
}

// Heard notes a datagram from peer (its address's String) at now.
func (r *Recent) Heard(peer string, now time.Time, window time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.peers == nil {
		r.peers = make(map[string]time.Time)
	}
	if _, known := r.peers[peer]; !known && len(r.peers) >= maxRecent {
		r.forgetLocked(now, window)
		if len(r.peers) >= maxRecent {
			clear(r.peers)
		}
	}
	r.peers[peer] = now
}

// Count is how many peers were heard within window before now; it forgets
// the others.
func (r *Recent) Count(now time.Time, window time.Duration) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.forgetLocked(now, window)
	return len(r.peers)
}

func (r *Recent) forgetLocked(now time.Time, window time.Duration) {
	for k, t := range r.peers {
		if now.Sub(t) > window {
			delete(r.peers, k)
		}
	}
}
