package framing

// holding is the bytes of one direction that a framer holds from one Feed to
// the next: the start of a frame still to come.
type holding struct {
	held []byte
}

// join returns the bytes held followed by b, and holds none: Feed frames them
// and holds what is left. When nothing is held it is b itself, its capacity cut
// to its length so that appending to what is held later copies, never writing
// past b into memory that is not the framer's.
func (h *holding) join(b []byte) []byte {
	data := b[:len(b):len(b)]
	if len(h.held) > 0 {
		data = append(h.held, b...)
	}
	h.held = nil
	return data
}

// Held is how many bytes are held.
func (h *holding) Held() int { return len(h.held) }

// Take returns the held bytes and holds none: at the connection's end, to show
// what was cut short.
func (h *holding) Take() []byte {
	b := h.held
	h.held = nil
	return b
}
