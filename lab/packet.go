package lab

import (
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// PacketConn taps a datagram socket on side. Every peer address is a flow; a flow
// silent for longer than the hub's FlowIdle ends, and its next datagram starts a
// new conversation.
func (t *Tap) PacketConn(pc net.PacketConn, side Side) net.PacketConn {
	if t == nil {
		return pc
	}
	return &tapPacketConn{PacketConn: pc, t: t, side: side, flows: make(map[flowKey]*Conversation)}
}

// tapPacketConn is a tapped net.PacketConn; safe for concurrent use like the one it wraps.
type tapPacketConn struct {
	net.PacketConn
	t    *Tap
	side Side

	mu      sync.Mutex
	flows   map[flowKey]*Conversation
	sweepAt int // how many flows start a sweep of the idle ones
}

// minSweep is the fewest flows that start a sweep: after one, the next waits
// until the flows still live have doubled, so that a flood of new peers (a
// resolver's new source port per query) costs a sweep now and then, not one
// per datagram.
const minSweep = 4096

// flowKey names a flow's peer: its address and port when it is a UDP
// address (no text made per datagram), else its address's text.
type flowKey struct {
	ap   netip.AddrPort
	text string
}

func keyOf(peer net.Addr) flowKey {
	if ap, ok := addrPortOf(peer); ok {
		return flowKey{ap: ap}
	}
	return flowKey{text: peer.String()}
}

// flow returns the live conversation with peer, starting one if needed.
func (p *tapPacketConn) flow(peer net.Addr, now time.Time) *Conversation {
	k := keyOf(peer)
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.flows[k]; c != nil {
		c.mu.Lock()
		live := c.liveLocked(now)
		c.mu.Unlock()
		if live {
			return c
		}
		c.closeStep(p.side, SideNone, HowIdle, "")
		c.localClosed(p.side)
		delete(p.flows, k)
	}
	if len(p.flows) >= max(p.sweepAt, minSweep) {
		p.sweepLocked(now)
		p.sweepAt = 2 * len(p.flows)
	}
	local := p.LocalAddr()
	client, server := local, peer
	if p.side == SideServer {
		client, server = peer, local
	}
	c := p.t.hub.attach(p.t.proto, client, server, p.side, true, OpenInfo{At: now})
	p.flows[k] = c
	return c
}

// sweepLocked forgets idle flows. p.mu must be held.
func (p *tapPacketConn) sweepLocked(now time.Time) {
	for k, c := range p.flows {
		c.mu.Lock()
		live := c.liveLocked(now)
		c.mu.Unlock()
		if !live {
			c.localClosed(p.side)
			delete(p.flows, k)
		}
	}
}

func (p *tapPacketConn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, addr, err := p.PacketConn.ReadFrom(b)
	if err == nil && addr != nil {
		now := time.Now()
		p.flow(addr, now).data(p.side, p.side.Inbound(), b[:n], now)
	}
	return n, addr, err
}

func (p *tapPacketConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	now := time.Now()
	c := p.flow(addr, now)
	c.data(p.side, p.side.Outbound(), b, now)
	n, err := p.PacketConn.WriteTo(b, addr)
	if err != nil {
		c.fault(p.side, KindError, "send: "+err.Error())
	}
	return n, err
}

// Close closes the socket and ends its flows.
func (p *tapPacketConn) Close() error {
	err := p.PacketConn.Close()
	p.mu.Lock()
	for k, c := range p.flows {
		c.localClosed(p.side)
		delete(p.flows, k)
	}
	p.mu.Unlock()
	return err
}

// EndFlow ends the conversation of the flow with peer on pc, a socket
// PacketConn tapped, as when it idles, but now: a program that knows an
// exchange is over says so (a STUN client whose question was answered, a WebRTC peer
// whose connection closed while its socket serves others), so the flow does
// not stay live for FlowIdle. The flow's next datagram starts a new
// conversation. why, if given, says why it ended ("the query was answered"),
// in place of "the flow went idle". It reports whether pc is tapped and had
// such a flow.
func EndFlow(pc net.PacketConn, peer net.Addr, why ...string) bool {
	p, ok := pc.(*tapPacketConn)
	if !ok || peer == nil {
		return false
	}
	p.mu.Lock()
	k := keyOf(peer)
	c := p.flows[k]
	delete(p.flows, k)
	p.mu.Unlock()
	if c == nil {
		return false
	}
	c.closeStep(p.side, SideNone, HowIdle, strings.Join(why, "; "))
	c.localClosed(p.side)
	return true
}

// Unwrap returns the tapped socket.
func (p *tapPacketConn) Unwrap() net.PacketConn { return p.PacketConn }
