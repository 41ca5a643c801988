package swarm

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/lab"
)

// Options configures a Member. Signal and Meta are required.
type Options struct {
	// Signal is the signalling server's WebSocket URL
	// ("ws://127.0.0.1:8188/signal"); SignalOptions how to reach it (its
	// Tap captures the member's signalling).
	Signal        string
	SignalOptions p2pclient.SignalOptions
	// Room is the swarm's signalling room, made if new; "" means "swarm".
	Room string
	// Name is the member's name in the room; "" lets the server choose.
	Name string
	// Meta describes the file.
	Meta Meta
	// Data, if non-nil, is the whole file: the member seeds it.
	Data []byte
	// Tap, if non-nil, captures the member's peer connections (the webrtc
	// protocol's tap). Nil captures nothing.
	Tap *lab.Tap
	// FailTimeout is how long a silent neighbour takes to be given up; zero
	// means p2pclient's default.
	FailTimeout time.Duration
	// MaxRequests bounds the pieces asked of one neighbour at a time; zero
	// means 4.
	MaxRequests int
	// OnPiece, if set, is told each piece the member gets whole and checked.
	// It is called from the member's goroutines; keep it short.
	OnPiece func(Transfer)
	// OnNeighbour, if set, is told each neighbour that comes (up) or goes.
	OnNeighbour func(name string, up bool)
}

// Transfer is one piece that crossed from one member to another.
type Transfer struct {
	Piece    int
	From, To string
	Bytes    int
}

// Member is one peer of a swarm. Its methods are safe for concurrent use.
type Member struct {
	opts   Options
	meta   Meta
	sig    *p2pclient.Signal
	ans    *p2pclient.Answerer
	cancel context.CancelFunc
	done   chan struct{} // closed when the file is whole
	served chan struct{} // closed when the answerer stops

	mu         sync.Mutex
	name       string
	data       []byte
	have       []bool
	got        []int        // bytes of each piece received so far
	asked      []*neighbour // whom each piece is asked of, nil if no one
	from       []string     // who sent each piece ("" seeded or missing)
	neighbours map[string]*neighbour
	up, down   int64
	closed     bool
}

// ErrClosed is Wait's error for a member closed before the file was whole.
var ErrClosed = errors.New("swarm: the member is closed")

// Join makes a member, joins the room and connects to the members in it;
// those that join later connect to it. It returns once the room is joined:
// Wait for the file.
func Join(ctx context.Context, opts Options) (*Member, error) {
	if err := opts.Meta.check(opts.Data); err != nil {
		return nil, err
	}
	if opts.Room == "" {
		opts.Room = "swarm"
	}
	if opts.MaxRequests <= 0 {
		opts.MaxRequests = 4
	}
	n := opts.Meta.Pieces()
	m := &Member{opts: opts, meta: opts.Meta, done: make(chan struct{}), served: make(chan struct{}),
		have: make([]bool, n), got: make([]int, n), asked: make([]*neighbour, n), from: make([]string, n),
		neighbours: make(map[string]*neighbour)}
	if opts.Data != nil {
		m.data = opts.Data
		for i := range m.have {
			m.have[i] = true
		}
		close(m.done)
	} else {
		m.data = make([]byte, opts.Meta.Size)
	}
	sig, err := p2pclient.DialSignal(ctx, opts.Signal, opts.SignalOptions)
	if err != nil {
		return nil, err
	}
	present, err := sig.Join(ctx, opts.Room, opts.Name, true)
	if err != nil {
		sig.Close()
		return nil, fmt.Errorf("swarm: join room %q: %w", opts.Room, err)
	}
	m.sig, m.name = sig, sig.Name()
	sctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.ans = &p2pclient.Answerer{NewPeer: func(from string) (*p2pclient.Peer, error) {
		return m.newPeer(from, lab.SideServer)
	}}
	go func() {
		defer close(m.served)
		m.ans.Serve(sctx, sig)
	}()
	for _, other := range present {
		go m.call(sctx, other)
	}
	return m, nil
}

// newPeer makes the peer of one connection, on a socket of its own, its
// channel adopted when it opens.
func (m *Member) newPeer(remote string, side lab.Side) (*p2pclient.Peer, error) {
	return p2pclient.New(p2pclient.Options{Tap: m.opts.Tap, Side: side, FailTimeout: m.opts.FailTimeout,
		OnChannel: func(c *p2pclient.Channel) { m.adopt(remote, c) }})
}

// call connects to a member already in the room.
func (m *Member) call(ctx context.Context, remote string) {
	p, err := m.newPeer(remote, lab.SideClient)
	if err != nil {
		return
	}
	ch, err := p.OpenChannel(Label, p2pclient.ChannelOptions{Protocol: Subprotocol})
	if err == nil {
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err = p.Call(cctx, m.sig, remote)
		cancel()
	}
	if err != nil {
		p.Close()
		return
	}
	m.adopt(remote, ch)
}

// The swarm's channel.
const (
	Label       = "swarm"
	Subprotocol = "protolab-swarm/1"
)

// Name is the member's name in the room.
func (m *Member) Name() string { return m.name }

// Done is closed once the file is whole at the member.
func (m *Member) Done() <-chan struct{} { return m.done }

// Wait waits until the file is whole at the member, or ctx ends.
func (m *Member) Wait(ctx context.Context) error {
	select {
	case <-m.done:
		return nil
	case <-ctx.Done():
		st := m.Stats()
		return fmt.Errorf("swarm: %s has %d of %d pieces from %d neighbours: %w", m.name, st.Have, st.Pieces, len(st.Neighbours), ctx.Err())
	}
}

// Data is the file, once whole (nil before).
func (m *Member) Data() []byte {
	select {
	case <-m.done:
		return m.data
	default:
		return nil
	}
}

// Close leaves the swarm: every connection closes, and the neighbours get
// the pieces they were getting from it elsewhere.
func (m *Member) Close() error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil
	}
	m.closed = true
	var ns []*neighbour
	for _, n := range m.neighbours {
		ns = append(ns, n)
	}
	m.mu.Unlock()
	m.cancel()
	for _, n := range ns {
		n.peer.Close()
	}
	m.ans.Close()
	err := m.sig.Close()
	<-m.served
	m.ans.Close() // any peer it made while closing
	return err
}

// NeighbourStats are a member's exchanges with one neighbour.
type NeighbourStats struct {
	Name       string
	Uploaded   int64 // bytes of pieces sent to it
	Downloaded int64 // bytes of pieces received from it
	Has        int   // pieces it has, as it said
}

// Stats is a snapshot of a member.
type Stats struct {
	Name       string
	Pieces     int
	Have       int
	Uploaded   int64
	Downloaded int64
	Complete   bool
	Neighbours []NeighbourStats // in no order, those gone too
	From       []string         // who sent each piece: "" for none yet, or the member's own seed
}

// Stats returns a snapshot of the member's progress and totals.
func (m *Member) Stats() Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := Stats{Name: m.name, Pieces: len(m.have), Uploaded: m.up, Downloaded: m.down, From: append([]string(nil), m.from...)}
	for _, h := range m.have {
		if h {
			s.Have++
		}
	}
	s.Complete = s.Have == s.Pieces
	for _, n := range m.neighbours {
		ns := NeighbourStats{Name: n.name, Uploaded: n.up, Downloaded: n.down}
		for _, h := range n.has {
			if h {
				ns.Has++
			}
		}
		s.Neighbours = append(s.Neighbours, ns)
	}
	return s
}

// Start joins n members (2 to 8) to one swarm, one after the other: the
// first seeds data, the others get it. Their names are opts.Name (default
// "peer") with "-1" to "-n". On an error the members joined are closed.
func Start(ctx context.Context, n int, data []byte, opts Options) ([]*Member, error) {
	if n < 2 || n > 8 {
		return nil, fmt.Errorf("swarm: %d members: a swarm has 2 to 8", n)
	}
	prefix := opts.Name
	if prefix == "" {
		prefix = "peer"
	}
	var ms []*Member
	for i := range n {
		o := opts
		o.Name = fmt.Sprintf("%s-%d", prefix, i+1)
		o.Data = nil
		if i == 0 {
			o.Data = data
		}
		m, err := Join(ctx, o)
		if err != nil {
			for _, m := range ms {
				m.Close()
			}
			return nil, err
		}
		ms = append(ms, m)
	}
	return ms, nil
}
