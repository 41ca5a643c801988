package p2pclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pion/ice/v4"
	pion "github.com/pion/webrtc/v4"
	"github.com/protocollab/protolab/lab"
)

// Options configures a Peer. The zero value makes an uncaptured peer on a free
// loopback port with host candidates only.
type Options struct {
	// Tap, if non-nil, captures the peer's one UDP socket: the webrtc
	// protocol's tap (protocols/webrtc). Nil captures nothing.
	Tap *lab.Tap
	// Side is the side of its flows the tap records this peer as; zero means
	// lab.SideClient. Two lab peers take opposite sides, so their two views of
	// one flow join into one conversation: the offering one SideClient, the
	// answering one SideServer. A SideServer peer should not ask a STUN
	// server of the same lab: both taps would claim the server's side, and
	// the question would show as two conversations. Peers sharing a Socket
	// share its side: give a swarm member one socket per side, or one per
	// connection.
	Side lab.Side
	// Keys receives the peer's DTLS master secrets (NSS key log lines) and the
	// ICE passwords of both ends (stun.KeyLogLine), so the lab decrypts the
	// flow and checks its MESSAGE-INTEGRITY. Nil means the Tap's hub's key
	// log, or none without a Tap. It captures credentials: keep it in the lab.
	Keys *lab.KeyLog
	// Socket, if non-nil, is the socket the peer shares with others (Tap,
	// Side and Listen are then ignored: the socket has its own); the peer
	// leaves it open when it closes. Nil: the peer binds a socket of its own.
	Socket *Socket
	// Listen is the UDP address the peer binds its own socket on; "" means
	// "127.0.0.1:0".
	Listen string
	// STUN is the host:port of a STUN server (the lab's: 127.0.0.1:3478) the
	// peer asks, from its one socket, for its server-reflexive address before
	// each description; "" gathers host candidates only. A server that does
	// not answer is reported (State layer "stun", state "failed") and the
	// description goes without the candidate.
	STUN string
	// STUNTimeout bounds the STUN question; zero means 3 s.
	STUNTimeout time.Duration
	// FailTimeout is how long ICE waits on a silent path before it gives up
	// (the peer "failed"); zero means 6 s. It is also how long a peer that
	// vanishes takes to be noticed.
	FailTimeout time.Duration
	// MaxFile bounds a file received on a channel (it is kept in memory);
	// zero means 256 MiB.
	MaxFile int64
	// OnState, if set, is told each state change of the peer's layers
	// (State), one at a time and in order, on a goroutine of its own: it may
	// call the peer's methods, and a slow one delays no packet.
	OnState func(State)
	// OnChannel, if set, is given each channel the remote peer opens, before
	// its first message: set its callbacks there.
	OnChannel func(*Channel)
	// Echo makes every channel the remote peer opens send each message back
	// as it came (the lab's answering peer); OnChannel is still called.
	Echo bool
}

// State is one state change of a peer, for a pane's lights.
type State struct {
	Layer   string // LayerICE, LayerGathering, LayerDTLS, LayerSCTP, LayerPeer, LayerChannel, LayerSTUN
	Channel string // LayerChannel: the channel's label
	State   string // the layer's new state, as pion spells it ("checking", "connected", ...)
	Err     error  // what went wrong, with "failed" states
}

// The layers State reports.
const (
	LayerGathering = "gathering" // ICE candidate gathering: new, gathering, complete
	LayerICE       = "ice"       // ICE: new, checking, connected, completed, disconnected, failed, closed
	LayerDTLS      = "dtls"      // new, connecting, connected, closed, failed
	LayerSCTP      = "sctp"      // connecting, connected, closed
	LayerPeer      = "peer"      // the whole connection: new, connecting, connected, disconnected, failed, closed
	LayerChannel   = "channel"   // a data channel: connecting, open, closing, closed
	LayerSTUN      = "stun"      // the question to the STUN server: answered, failed
)

// Peer is one lab WebRTC peer: one pion PeerConnection whose only UDP socket
// is the one Options.Listen binds, tapped. Its methods are safe for
// concurrent use; its callbacks run on pion's goroutines.
type Peer struct {
	opts Options
	sock *Socket
	own  bool // the socket is the peer's own, closed with it
	pc   *pion.PeerConnection
	keys *lab.KeyLog

	dead      chan struct{} // closed when the connection has failed or closed
	deadOnce  sync.Once
	up        chan struct{} // closed when the connection is connected
	upOnce    sync.Once
	closeOnce sync.Once

	notify serial // OnState's calls

	mu       sync.Mutex
	err      error // why the connection is dead
	channels []*Channel
	sctpUp   bool
	signal   lab.ConvID // the signalling conversation that set the flow up
	offerer  bool
	remote   string // the remote peer's name in the room
	flow     lab.ConvID
	sdp      [2]string // the local and remote descriptions as sent and received
}

// New makes a peer and binds its socket. Close it when done.
func New(opts Options) (*Peer, error) {
	if opts.Side == lab.SideNone {
		opts.Side = lab.SideClient
	}
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:0"
	}
	if opts.STUNTimeout == 0 {
		opts.STUNTimeout = 3 * time.Second
	}
	if opts.FailTimeout == 0 {
		opts.FailTimeout = 6 * time.Second
	}
	if opts.MaxFile == 0 {
		opts.MaxFile = 256 << 20
	}
	p := &Peer{opts: opts, sock: opts.Socket, dead: make(chan struct{}), up: make(chan struct{})}
	if p.sock == nil {
		sock, err := Listen(opts.Listen, opts.Tap, opts.Side)
		if err != nil {
			return nil, err
		}
		p.sock, p.own = sock, true
	}
	keys := opts.Keys
	if keys == nil && p.sock.tap != nil {
		keys = p.sock.tap.Hub().Keys()
	}
	p.keys = keys
	var se pion.SettingEngine
	se.LoggerFactory = quiet
	se.SetICEUDPMux(p.sock.mux)
	se.SetNetworkTypes([]pion.NetworkType{pion.NetworkTypeUDP4})
	se.SetIncludeLoopbackCandidate(true)
	se.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	// Keepalives well within the timeouts, so an idle connection never looks vanished.
	se.SetICETimeouts(opts.FailTimeout/2, opts.FailTimeout, min(time.Second, opts.FailTimeout/5))
	if keys != nil {
		se.SetDTLSKeyLogWriter(keys)
	}
	pc, err := pion.NewAPI(pion.WithSettingEngine(se)).NewPeerConnection(pion.Configuration{})
	if err != nil {
		if p.own {
			p.sock.Close()
		}
		return nil, fmt.Errorf("p2pclient: %w", err)
	}
	p.pc = pc
	p.watch()
	return p, nil
}

// watch reports the layers' states and notices the connection's end.
func (p *Peer) watch() {
	p.pc.OnICEGatheringStateChange(func(s pion.ICEGatheringState) { p.state(State{Layer: LayerGathering, State: s.String()}) })
	p.pc.OnICEConnectionStateChange(func(s pion.ICEConnectionState) {
		p.state(State{Layer: LayerICE, State: s.String()})
	})
	p.pc.SCTP().Transport().OnStateChange(func(s pion.DTLSTransportState) {
		p.state(State{Layer: LayerDTLS, State: s.String()})
		if s == pion.DTLSTransportStateConnected {
			p.state(State{Layer: LayerSCTP, State: "connecting"})
		}
	})
	p.pc.SCTP().OnClose(func(error) { p.state(State{Layer: LayerSCTP, State: "closed"}) })
	p.pc.OnConnectionStateChange(func(s pion.PeerConnectionState) {
		var err error
		switch s {
		case pion.PeerConnectionStateConnected:
			p.link() // before Connected returns
			p.upOnce.Do(func() { close(p.up) })
		case pion.PeerConnectionStateFailed:
			err = fmt.Errorf("%w: no answer from the other peer for %v (it vanished, or no candidate pair works)", ErrPeerFailed, p.opts.FailTimeout)
		case pion.PeerConnectionStateClosed:
			err = ErrPeerClosed
		}
		p.state(State{Layer: LayerPeer, State: s.String(), Err: err})
		if err != nil {
			p.die(err)
		}
	})
	p.pc.OnDataChannel(func(dc *pion.DataChannel) {
		c := p.adopt(dc, p.opts.Echo)
		if p.opts.OnChannel != nil {
			p.opts.OnChannel(c)
		}
	})
}

// The errors a dead peer's operations return, wrapped with what was going on.
var (
	ErrPeerFailed = errors.New("p2pclient: the peer connection failed")
	ErrPeerClosed = errors.New("p2pclient: the peer connection is closed")
)

func (p *Peer) state(s State) {
	if s.Layer == LayerChannel && s.State == "open" {
		p.mu.Lock()
		first := !p.sctpUp
		p.sctpUp = true
		p.mu.Unlock()
		if first {
			p.state(State{Layer: LayerSCTP, State: "connected"})
		}
	}
	if f := p.opts.OnState; f != nil {
		p.notify.do(func() { f(s) })
	}
}

// serial runs functions one at a time, in the order given, on a goroutine
// of its own while it has any: a queue that never blocks who adds to it.
type serial struct {
	mu      sync.Mutex
	queue   []func()
	running bool
}

func (q *serial) do(f func()) {
	q.mu.Lock()
	q.queue = append(q.queue, f)
	start := !q.running
	q.running = true
	q.mu.Unlock()
	if start {
		go q.run()
	}
}

func (q *serial) run() {
	for {
		q.mu.Lock()
		if len(q.queue) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		f := q.queue[0]
		q.queue = q.queue[1:]
		q.mu.Unlock()
		f()
	}
}

// die records why the connection ended and wakes whoever waits on it.
func (p *Peer) die(err error) {
	p.deadOnce.Do(func() {
		if !p.own && errors.Is(err, ErrPeerFailed) {
			// The remote is gone: its flow on the shared socket ends now,
			// not when it idles. (After a close both ends said goodbye, and
			// the flow ends with the remote's socket.)
			p.sock.endFlows(p.remoteAddrs())
		}
		p.mu.Lock()
		p.err = err
		chans := append([]*Channel(nil), p.channels...)
		p.mu.Unlock()
		close(p.dead)
		for _, c := range chans {
			c.peerDied(err)
		}
	})
}

// remoteAddrs are the addresses of the remote peer's candidates and of the
// pair ICE chose.
func (p *Peer) remoteAddrs() []string {
	var out []string
	for _, line := range strings.Split(p.RemoteSDP(), "\n") {
		if f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "a=")); len(f) >= 6 && strings.HasPrefix(f[0], "candidate:") {
			out = append(out, net.JoinHostPort(f[4], f[5]))
		}
	}
	if pair, err := p.pc.SCTP().Transport().ICETransport().GetSelectedCandidatePair(); err == nil && pair != nil {
		out = append(out, net.JoinHostPort(pair.Remote.Address, strconv.Itoa(int(pair.Remote.Port))))
	}
	return out
}

// Err is why the connection ended, nil while it lives.
func (p *Peer) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// Done is closed when the connection has failed or closed.
func (p *Peer) Done() <-chan struct{} { return p.dead }

// Connected waits until ICE and DTLS are up (the PeerConnection "connected"),
// or returns why they will not be.
func (p *Peer) Connected(ctx context.Context) error {
	select {
	case <-p.up:
		return nil
	case <-p.dead:
		return p.Err()
	case <-ctx.Done():
		return fmt.Errorf("p2pclient: not connected (ICE %s, peer %s): %w",
			p.pc.ICEConnectionState(), p.pc.ConnectionState(), ctx.Err())
	}
}

// Addr is the peer's UDP socket's address.
func (p *Peer) Addr() net.Addr { return p.sock.Addr() }

// Remote is the remote peer's name in the signalling room, "" without one.
func (p *Peer) Remote() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.remote
}

// LocalSDP is the description the peer sent (its offer or answer, with
// every candidate), "" before; RemoteSDP the one it received.
func (p *Peer) LocalSDP() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sdp[0]
}

// RemoteSDP is the description the peer received, "" before.
func (p *Peer) RemoteSDP() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sdp[1]
}

func (p *Peer) setSDP(i int, sdp string) {
	p.mu.Lock()
	p.sdp[i] = sdp
	p.mu.Unlock()
}

// PeerConnection is the pion PeerConnection, for what this package does not
// offer (statistics, media). Do not set its callbacks: the Peer uses them.
func (p *Peer) PeerConnection() *pion.PeerConnection { return p.pc }

// Channels returns the peer's data channels, its own and the remote's.
func (p *Peer) Channels() []*Channel {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*Channel(nil), p.channels...)
}

// Close closes the connection (the remote peer sees its channels close) and
// the peer's own socket, after a moment (Linger) in which the remote's
// goodbye still arrives on it, so the flow ends with both ends' last words.
func (p *Peer) Close() error {
	err := p.pc.Close()
	p.die(ErrPeerClosed)
	if p.own {
		p.closeOnce.Do(func() {
			time.Sleep(Linger)
			p.sock.Close()
		})
	}
	return err
}

// Linger is how long Close keeps a peer's own socket open after the
// connection has closed.
const Linger = 200 * time.Millisecond
