package lab

// bufPool lends byte buffers that a busy connection needs again and again,
// each for a moment: bytes past a capture limit waiting to be hashed, a look
// at what waits unread. A new buffer for each would be cleared and collected
// every time. It is a channel, so an idle lab keeps at most cap(c) buffers,
// each of a capacity from min to max.
type bufPool struct {
	c        chan []byte
	min, max int
}

// get returns a buffer of n bytes: one p holds, if it is big enough (a smaller
// one is let go), or a new one of at least p.min.
func (p *bufPool) get(n int) []byte {
	select {
	case b := <-p.c:
		if cap(b) >= n {
			return b[:n]
		}
	default:
	}
	return make([]byte, n, max(n, p.min))
}

// put gives b back to p, unless its capacity is not one p keeps or p is full.
func (p *bufPool) put(b []byte) {
	if cap(b) < p.min || cap(b) > p.max {
		return
	}
	select {
	case p.c <- b[:0]:
	default:
	}
}
