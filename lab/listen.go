package lab

import (
	"net"
	"net/netip"
)

// The hub remembers the address of each tapped TCP listener and its protocol,
// so that a conversation a client's tap opens towards a lab server keeps what
// that server's protocol says (its CaptureLimit, a server setting), though
// the server's tap joins only once it has accepted the connection, and the
// client may have sent a great deal by then.

// listen remembers that a listener of p is at addr.
func (h *Hub) listen(addr net.Addr, p *Protocol) {
	ap, ok := addrPort(addr)
	if !ok {
		return
	}
	h.convMu.Lock()
	defer h.convMu.Unlock()
	if h.listening == nil {
		h.listening = make(map[netip.AddrPort]*Protocol)
	}
	h.listening[ap] = p
}

// unlisten forgets the listener of p at addr, unless another took its place.
func (h *Hub) unlisten(addr net.Addr, p *Protocol) {
	ap, ok := addrPort(addr)
	if !ok {
		return
	}
	h.convMu.Lock()
	defer h.convMu.Unlock()
	if h.listening[ap] == p {
		delete(h.listening, ap)
	}
}

// listenerLocked returns the protocol of the tapped listener that accepts
// connections to server, nil if none does: one bound to server's own address,
// or to any address (0.0.0.0, ::) with its port. h.convMu must be held.
func (h *Hub) listenerLocked(server net.Addr) *Protocol {
	if len(h.listening) == 0 {
		return nil
	}
	ap, ok := addrPort(server)
	if !ok {
		return nil
	}
	for _, a := range []netip.Addr{ap.Addr(), netip.IPv4Unspecified(), netip.IPv6Unspecified()} {
		if p := h.listening[netip.AddrPortFrom(a, ap.Port())]; p != nil {
			return p
		}
	}
	return nil
}

// addrPort is a TCP address as a map key (addrPortOf).
func addrPort(a net.Addr) (netip.AddrPort, bool) {
	if _, ok := a.(*net.TCPAddr); !ok {
		return netip.AddrPort{}, false
	}
	return addrPortOf(a)
}
