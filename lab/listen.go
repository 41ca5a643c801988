package lab

import "net"

// The hub remembers the address of each tapped listener and its protocol, so
// that a conversation a client's tap opens towards a lab server keeps what
// that server's protocol says (its CaptureLimit, a server setting), though
// the server's tap joins only once it has accepted the connection, and the
// client may have sent a great deal by then.

// listen remembers that a listener of p is at addr.
func (h *Hub) listen(addr net.Addr, p *Protocol) {
	h.convMu.Lock()
	defer h.convMu.Unlock()
	if h.listening == nil {
		h.listening = make(map[string]*Protocol)
	}
	h.listening[addr.String()] = p
}

// unlisten forgets the listener of p at addr, unless another took its place.
func (h *Hub) unlisten(addr net.Addr, p *Protocol) {
	h.convMu.Lock()
	defer h.convMu.Unlock()
	if h.listening[addr.String()] == p {
		delete(h.listening, addr.String())
	}
}

// listenerLocked returns the protocol of the tapped listener that accepts
// connections to server, nil if none does: one bound to server's own address,
// or to any address (0.0.0.0, ::) with its port. h.convMu must be held.
func (h *Hub) listenerLocked(server net.Addr) *Protocol {
	if len(h.listening) == 0 {
		return nil
	}
	if p := h.listening[server.String()]; p != nil {
		return p
	}
	a, ok := server.(*net.TCPAddr)
	if !ok {
		return nil
	}
	for _, unspec := range []net.IP{net.IPv4zero, net.IPv6unspecified} {
		if p := h.listening[(&net.TCPAddr{IP: unspec, Port: a.Port}).String()]; p != nil {
			return p
		}
	}
	return nil
}
