package p2pserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/p2p"
)

// PeerOptions configures the lab's answering peer.
type PeerOptions struct {
	// Server is the signalling server to join in process (DialLocal), so
	// the peer's own signalling is no conversation of the lab's; the flows
	// of outside offerers are linked to their signalling conversations.
	// Nil: Signal.
	Server *SignalServer
	// Signal is the signalling server's WebSocket URL
	// ("ws://127.0.0.1:8188/signal"), when Server is nil.
	Signal string
	// Room is the room the peer waits in; "" means p2p.DefaultRoom.
	Room string
	// Name is the peer's name in the room; "" means "lab-peer".
	Name string
	// Chat, if set, keeps the peer quiet: it does not echo, and its owner
	// sends on its channels (OnChannel). Unset, it sends every message back
	// on the channel it came in on.
	Chat bool
	// STUN is the STUN server's host:port for a server-reflexive candidate;
	// "" for none. Leave it empty with a STUN server in the same lab: the
	// peer's socket is tapped as the server's side of its flows, and so would
	// its question to the STUN server be, beside the STUN server's own view
	// (see p2pclient.Options.Side).
	STUN string
	// Tap captures the peer's UDP socket (the webrtc protocol's tap), as the
	// server's side of its flows; SignalTap its signalling WebSocket to
	// Signal (the p2p protocol's), as the client's side. Nil captures nothing.
	Tap, SignalTap *lab.Tap
	// OnChannel, if set, is given every channel a remote peer opens.
	OnChannel func(*p2pclient.Channel)
	// OnState, if set, is told the state changes of every peer connection.
	OnState func(remote string, s p2pclient.State)
	// NotifyStarted, if set, is called once the peer has joined its room.
	NotifyStarted func()
}

// AnsweringPeer is the lab's own WebRTC peer: it waits in a signalling room
// and answers every offer with a new PeerConnection, all on its one UDP
// socket, and echoes what comes in (PeerOptions.Chat turns that off). It has
// the net/http lifecycle, with Serve taking the UDP socket. Its methods are
// safe for concurrent use.
type AnsweringPeer struct {
	opts    PeerOptions
	started lab.Started
	closing atomic.Bool
	ans     *p2pclient.Answerer

	mu        sync.Mutex
	onChannel func(*p2pclient.Channel)
	onState   func(remote string, s p2pclient.State)
	sock      *p2pclient.Socket
	sig       *p2pclient.Signal
	cancel    context.CancelFunc
	done      chan struct{}
}

// NewAnsweringPeer returns an answering peer with opts.
func NewAnsweringPeer(opts PeerOptions) *AnsweringPeer {
	if opts.Room == "" {
		opts.Room = p2p.DefaultRoom
	}
	if opts.Name == "" {
		opts.Name = "lab-peer"
	}
	a := &AnsweringPeer{opts: opts, done: make(chan struct{}), onChannel: opts.OnChannel, onState: opts.OnState}
	a.ans = &p2pclient.Answerer{NewPeer: a.newPeer}
	return a
}

func (a *AnsweringPeer) newPeer(from string) (*p2pclient.Peer, error) {
	a.mu.Lock()
	sock, onChannel, onState := a.sock, a.onChannel, a.onState
	a.mu.Unlock()
	opts := p2pclient.Options{Socket: sock, STUN: a.opts.STUN, Echo: !a.opts.Chat, OnChannel: onChannel}
	if onState != nil {
		opts.OnState = func(s p2pclient.State) { onState(from, s) }
	}
	return p2pclient.New(opts)
}

// OnChannel sets the function given every channel remote peers open from
// now on (PeerOptions.OnChannel): a pane chatting from the lab's peer sets
// it when it finds the peer (LabPeer).
func (a *AnsweringPeer) OnChannel(f func(*p2pclient.Channel)) {
	a.mu.Lock()
	a.onChannel = f
	a.mu.Unlock()
}

// OnState sets the function told the states of the peer connections made
// from now on (PeerOptions.OnState).
func (a *AnsweringPeer) OnState(f func(remote string, s p2pclient.State)) {
	a.mu.Lock()
	a.onState = f
	a.mu.Unlock()
}

// Started is closed once the peer has joined its room.
func (a *AnsweringPeer) Started() <-chan struct{} { return a.started.C() }

// Serve joins the room and answers offers on pc until Close or Shutdown
// (ErrServerClosed), or until the signalling connection ends (its error). It
// closes pc.
func (a *AnsweringPeer) Serve(pc net.PacketConn) error {
	defer close(a.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sock := p2pclient.NewSocket(pc, a.opts.Tap, lab.SideServer)
	defer sock.Close()
	a.mu.Lock()
	if a.closing.Load() {
		a.mu.Unlock()
		return ErrServerClosed
	}
	a.sock, a.cancel = sock, cancel
	a.mu.Unlock()
	url, so := a.opts.Signal, p2pclient.SignalOptions{Tap: a.opts.SignalTap}
	if srv := a.opts.Server; srv != nil {
		url, so = "ws://in-process"+p2p.Path, p2pclient.SignalOptions{NetDial: srv.DialLocal}
		a.ans.Parent = func(from string) lab.ConvID { return srv.ConversationOf(a.opts.Room, from) }
	}
	if url == "" {
		return errors.New("p2pserver: the answering peer needs a signalling server (PeerOptions.Server or Signal)")
	}
	jctx, jcancel := context.WithTimeout(ctx, 10*time.Second)
	defer jcancel()
	sig, err := p2pclient.DialSignal(jctx, url, so)
	if err != nil {
		return err
	}
	defer sig.Close()
	if _, err := sig.Join(jctx, a.opts.Room, a.opts.Name, true); err != nil {
		return fmt.Errorf("p2pserver: the answering peer could not join room %q: %w", a.opts.Room, err)
	}
	a.mu.Lock()
	a.sig = sig
	a.mu.Unlock()
	a.started.Fire(a.opts.NotifyStarted)
	err = a.ans.Serve(ctx, sig)
	a.ans.Close()
	if a.closing.Load() {
		return ErrServerClosed
	}
	if err == nil {
		err = fmt.Errorf("p2pserver: the answering peer lost its signalling server: %w", sig.Err())
	}
	return err
}

// Addr is the peer's UDP socket's address (nil before Serve).
func (a *AnsweringPeer) Addr() net.Addr {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.sock == nil {
		return nil
	}
	return a.sock.Addr()
}

// Peers returns the open peer connections, one for each remote peer.
func (a *AnsweringPeer) Peers() []*p2pclient.Peer { return a.ans.Peers() }

// Sessions is the number of open peer connections.
func (a *AnsweringPeer) Sessions() int { return len(a.ans.Peers()) }

// NewPeer makes a peer on the answering peer's socket, set as those it makes
// for offers through signalling (echo or chat, its callbacks), for an offer
// that comes another way: a WHIP endpoint's (RFC 9725, servers/whipserver).
// remote names the offerer for OnState. It fails unless the peer is serving.
func (a *AnsweringPeer) NewPeer(remote string) (*p2pclient.Peer, error) {
	a.mu.Lock()
	sock := a.sock
	a.mu.Unlock()
	select {
	case <-a.done:
		sock = nil
	default:
	}
	if sock == nil || a.closing.Load() {
		return nil, errors.New("p2pserver: the answering peer is not running: start the p2p server")
	}
	return a.newPeer(remote)
}

// Close closes every peer connection, leaves the room and closes the socket.
func (a *AnsweringPeer) Close() error {
	a.closing.Store(true)
	a.mu.Lock()
	cancel, sig, serving := a.cancel, a.sig, a.sock != nil
	a.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	if sig != nil {
		sig.Close()
	}
	if serving {
		<-a.done
	}
	return nil
}

// Shutdown is Close: the remote peers see their channels close at once.
func (a *AnsweringPeer) Shutdown(context.Context) error { return a.Close() }
