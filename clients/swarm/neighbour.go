package swarm

import (
	"context"
	"crypto/sha256"
	"math/rand/v2"

	"github.com/protocollab/protolab/clients/p2pclient"
)

// neighbour is one connected member. Its fields but peer, ch, name and
// requests are guarded by the member's mu.
type neighbour struct {
	name     string
	peer     *p2pclient.Peer
	ch       *p2pclient.Channel
	requests chan int // pieces it asked for, served in order by upload
	quit     chan struct{}

	has      []bool // what it has, as it said
	inflight int    // pieces asked of it, not yet whole
	up, down int64
	gone     bool
}

// adopt makes remote a neighbour once its channel c opens.
func (m *Member) adopt(remote string, c *p2pclient.Channel) {
	if c.Label() != Label {
		c.Close()
		return
	}
	n := &neighbour{name: remote, peer: c.Peer(), ch: c, requests: make(chan int, 256), quit: make(chan struct{}),
		has: make([]bool, m.meta.Pieces())}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		c.Peer().Close()
		return
	}
	old := m.neighbours[remote]
	m.neighbours[remote] = n
	m.mu.Unlock()
	if old != nil && !old.gone {
		m.lost(old)
		old.peer.Close()
	}
	c.OnMessage(func(msg p2pclient.Message) { m.receive(n, msg) })
	c.OnState(func(s string) {
		if s == "closed" {
			m.lost(n)
		}
	})
	go func() {
		select {
		case <-n.peer.Done():
			m.lost(n)
		case <-n.quit:
		}
	}()
	go func() {
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-n.quit
			cancel()
		}()
		if c.WaitOpen(ctx) != nil {
			m.lost(n)
			return
		}
		m.mu.Lock()
		bf := encodeBitfield(m.have)
		m.mu.Unlock()
		if c.Send(bf) != nil {
			m.lost(n)
			return
		}
		if f := m.opts.OnNeighbour; f != nil {
			f(remote, true)
		}
		m.upload(n)
	}()
}

// lost forgets n's promises: the pieces asked of it go to others.
func (m *Member) lost(n *neighbour) {
	m.mu.Lock()
	if n.gone {
		m.mu.Unlock()
		return
	}
	n.gone = true
	close(n.quit)
	for i, a := range m.asked {
		if a == n {
			m.asked[i], m.got[i] = nil, 0
		}
	}
	n.inflight = 0
	m.mu.Unlock()
	if f := m.opts.OnNeighbour; f != nil {
		f(n.name, false)
	}
	m.schedule()
}

// receive handles one message from n.
func (m *Member) receive(n *neighbour, raw p2pclient.Message) {
	msg, err := decode(raw.Data)
	if err != nil || raw.Text {
		return // not the swarm's: ignored
	}
	pieces := m.meta.Pieces()
	switch msg.kind {
	case kindBitfield:
		m.mu.Lock()
		n.has = bits(msg.data, pieces)
		m.mu.Unlock()
		m.schedule()
	case kindHave:
		if msg.index < pieces {
			m.mu.Lock()
			n.has[msg.index] = true
			m.mu.Unlock()
			m.schedule()
		}
	case kindRequest:
		m.mu.Lock()
		ok := msg.index < pieces && m.have[msg.index]
		m.mu.Unlock()
		if ok {
			select {
			case n.requests <- msg.index:
			default: // a neighbour asking far more than MaxRequests: ignored
			}
		}
	case kindPiece:
		m.block(n, msg)
	}
}

// block takes a block of a piece asked of n.
func (m *Member) block(n *neighbour, msg msg) {
	if msg.index >= m.meta.Pieces() {
		return
	}
	off, size := m.meta.span(msg.index)
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return // left the swarm: blocks still in flight while it closes are dropped
	}
	if m.asked[msg.index] != n || msg.off != m.got[msg.index] || msg.off+len(msg.data) > size {
		m.mu.Unlock()
		return // not asked of n, or not the block expected next (the channel is ordered)
	}
	copy(m.data[off+int64(msg.off):], msg.data)
	m.got[msg.index] += len(msg.data)
	n.down += int64(len(msg.data))
	m.down += int64(len(msg.data))
	if m.got[msg.index] < size {
		m.mu.Unlock()
		return
	}
	m.asked[msg.index], m.got[msg.index] = nil, 0
	n.inflight--
	good := sha256.Sum256(m.data[off:off+int64(size)]) == m.meta.Hashes[msg.index]
	var tell []*neighbour
	complete := false
	if good {
		m.have[msg.index] = true
		m.from[msg.index] = n.name
		for _, o := range m.neighbours {
			if !o.gone {
				tell = append(tell, o)
			}
		}
		complete = true
		for _, h := range m.have {
			complete = complete && h
		}
	}
	m.mu.Unlock()
	if good {
		have := encodeIndex(kindHave, msg.index)
		for _, o := range tell {
			o.ch.Send(have)
		}
		if f := m.opts.OnPiece; f != nil {
			f(Transfer{Piece: msg.index, From: n.name, To: m.name, Bytes: size})
		}
		if complete {
			close(m.done)
		}
	}
	m.schedule()
}

// schedule asks each neighbour for pieces, up to MaxRequests, rarest first.
func (m *Member) schedule() {
	type ask struct {
		n     *neighbour
		piece int
	}
	var asks []ask
	m.mu.Lock()
	count := make([]int, len(m.have)) // how many neighbours have each piece
	var live []*neighbour
	for _, n := range m.neighbours {
		if n.gone {
			continue
		}
		live = append(live, n)
		for i, h := range n.has {
			if h {
				count[i]++
			}
		}
	}
	rand.Shuffle(len(live), func(i, j int) { live[i], live[j] = live[j], live[i] })
	order := rand.Perm(len(m.have)) // ties broken at random
	for _, n := range live {
		for n.inflight < m.opts.MaxRequests {
			best := -1
			for _, i := range order {
				if !m.have[i] && m.asked[i] == nil && n.has[i] && (best < 0 || count[i] < count[best]) {
					best = i
				}
			}
			if best < 0 {
				break
			}
			m.asked[best], m.got[best] = n, 0
			n.inflight++
			asks = append(asks, ask{n, best})
		}
	}
	m.mu.Unlock()
	for _, a := range asks {
		if a.n.ch.Send(encodeIndex(kindRequest, a.piece)) != nil {
			m.lost(a.n)
		}
	}
}

// upload sends n the pieces it asks for, in order, until it goes.
func (m *Member) upload(n *neighbour) {
	for {
		var i int
		select {
		case i = <-n.requests:
		case <-n.quit:
			return
		}
		off, size := m.meta.span(i)
		for b := 0; b < size; b += BlockSize {
			end := min(b+BlockSize, size)
			if n.ch.Send(encodeBlock(i, b, m.data[off+int64(b):off+int64(end)])) != nil {
				m.lost(n)
				return
			}
			m.mu.Lock()
			n.up += int64(end - b)
			m.up += int64(end - b)
			m.mu.Unlock()
		}
	}
}
