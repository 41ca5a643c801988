package p2pclient

import (
	"context"
	"errors"
	"fmt"
	"sync"

	pion "github.com/pion/webrtc/v4"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/p2p"
)

// Call offers a connection to the peer called to in sig's room ("" for the
// room's one other peer) and takes its answer. Open a channel first; then
// Connected waits for ICE and DTLS, and the channel's WaitOpen for SCTP.
// An answer refused by the server (no such peer, a bad SDP) is an *Error.
func (p *Peer) Call(ctx context.Context, sig *Signal, to string) error {
	offer, err := p.CreateOffer(ctx)
	if err != nil {
		return err
	}
	p.setSignal(sig, to)
	r, err := sig.request(ctx, p2p.Message{Type: p2p.TypeOffer, To: to, SDP: offer}, func(r p2p.Message) bool {
		return r.Type == p2p.TypeAnswer && (to == "" || r.From == to)
	})
	if err != nil {
		return err
	}
	p.setSignal(sig, r.From)
	return p.AcceptAnswer(r.SDP)
}

// LinkSignal names the conversation that carried the peer's offer and
// answer when it was not the lab's signalling (a WHIP endpoint's HTTP
// request): once connected, the peer's flow is linked to it. Call and an
// Answerer set it themselves.
func (p *Peer) LinkSignal(conv lab.ConvID) {
	p.mu.Lock()
	p.signal = conv
	p.mu.Unlock()
}

func (p *Peer) setSignal(sig *Signal, remote string) {
	p.mu.Lock()
	p.signal, p.remote = sig.Conversation(), remote
	p.mu.Unlock()
}

// Answerer answers the offers a Signal receives, one new Peer for each: the
// lab's answering peer, a swarm's member, a WHIP endpoint's peer all are one.
type Answerer struct {
	// NewPeer makes the peer that answers an offer from the named peer.
	NewPeer func(from string) (*Peer, error)
	// OnPeer, if set, is given each peer once its answer is sent.
	OnPeer func(*Peer)
	// OnError, if set, is told of each offer that could not be answered
	// (the offerer is told too).
	OnError func(from string, err error)
	// Parent, if set, names the signalling conversation a peer's flow is
	// linked to when the offerer did not link it (an outside peer): the
	// offerer's, as the signalling server saw it. Nil: the Signal's own.
	Parent func(from string) lab.ConvID

	mu    sync.Mutex
	peers map[string]*Peer // by the remote peer's name
}

// Serve answers the offers sig receives until ctx ends or sig closes, and
// returns why. Candidates trickled to it go to the peer they are for; a peer
// that leaves the room before it connected is closed. The peers it made stay
// open: close them with Close.
func (a *Answerer) Serve(ctx context.Context, sig *Signal) error {
	for {
		m, err := sig.Next(ctx)
		if err != nil {
			if errors.Is(err, ErrSignalClosed) || ctx.Err() != nil {
				return nil
			}
			return err
		}
		switch m.Type {
		case p2p.TypeOffer:
			go a.answer(ctx, sig, m)
		case p2p.TypeCandidate:
			if p := a.peer(m.From); p != nil {
				p.AddCandidate(m.Candidate)
			}
		case p2p.TypePeerLeft:
			if p := a.peer(m.Peer); p != nil && p.pc.ConnectionState() != pion.PeerConnectionStateConnected {
				p.Close()
			}
		}
	}
}

func (a *Answerer) answer(ctx context.Context, sig *Signal, m p2p.Message) {
	p, err := a.NewPeer(m.From)
	var answer string
	if err == nil {
		p.setSignal(sig, m.From)
		if a.Parent != nil {
			p.mu.Lock()
			p.signal = a.Parent(m.From)
			p.mu.Unlock()
		}
		answer, err = p.Answer(ctx, m.SDP)
		if err != nil {
			p.Close()
		}
	}
	if err != nil {
		sig.Send(p2p.Message{Type: p2p.TypeError, To: m.From, About: p2p.TypeOffer, Error: "the answering peer refused the offer: " + err.Error()})
		if a.OnError != nil {
			a.OnError(m.From, err)
		}
		return
	}
	a.mu.Lock()
	if a.peers == nil {
		a.peers = make(map[string]*Peer)
	}
	if old := a.peers[m.From]; old != nil {
		defer old.Close() // a new offer from the same peer replaces its connection
	}
	a.peers[m.From] = p
	a.mu.Unlock()
	if err := sig.Send(p2p.Message{Type: p2p.TypeAnswer, To: m.From, SDP: answer}); err != nil {
		p.Close()
		return
	}
	if a.OnPeer != nil {
		a.OnPeer(p)
	}
}

func (a *Answerer) peer(name string) *Peer {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.peers[name]
}

// Peers returns the peers made so far that are still open.
func (a *Answerer) Peers() []*Peer {
	a.mu.Lock()
	defer a.mu.Unlock()
	var ps []*Peer
	for _, p := range a.peers {
		if p.Err() == nil {
			ps = append(ps, p)
		}
	}
	return ps
}

// Close closes every peer the answerer made.
func (a *Answerer) Close() {
	a.mu.Lock()
	ps := a.peers
	a.peers = nil
	a.mu.Unlock()
	for _, p := range ps {
		p.Close()
	}
}

// AddCandidate adds a remote candidate trickled through signalling (the
// attribute value, "candidate:...").
func (p *Peer) AddCandidate(c string) error {
	if err := p.pc.AddICECandidate(pion.ICECandidateInit{Candidate: c}); err != nil {
		return fmt.Errorf("p2pclient: remote candidate %q: %w", c, err)
	}
	return nil
}

// link ties the flow ICE chose to the signalling conversation that set it
// up: the offerer's, or the answerer's when the flow has no link yet (an
// outside peer offered).
func (p *Peer) link() {
	tap := p.sock.tap
	p.mu.Lock()
	parent, offerer := p.signal, p.offerer
	p.mu.Unlock()
	if tap == nil {
		return
	}
	pair, err := p.pc.SCTP().Transport().ICETransport().GetSelectedCandidatePair()
	if err != nil || pair == nil {
		return
	}
	hub := tap.Hub()
	local := p.sock.Addr().String()
	remote := fmt.Sprintf("%s:%d", pair.Remote.Address, pair.Remote.Port)
	for _, ci := range hub.Conversations() {
		if !ci.Datagram || ci.Protocol != tap.Protocol().Name || !ci.Live ||
			!(ci.Client == local && ci.Server == remote || ci.Client == remote && ci.Server == local) {
			continue
		}
		p.mu.Lock()
		p.flow = ci.ID
		p.mu.Unlock()
		c := hub.Conversation(ci.ID)
		if parent == 0 || c == nil {
			continue
		}
		linking.Lock() // the two peers of one flow in one lab: the offerer's link wins
		if offerer || !c.Info(false).Link.Linked() {
			c.SetLink(lab.Link{Kind: lab.LinkSignal, Parent: parent, Dialler: lab.SideClient, Label: "WebRTC offer and answer"})
		}
		linking.Unlock()
	}
}

var linking sync.Mutex

// Flow is the conversation of the UDP flow ICE chose, once connected; 0
// before, or without a tap.
func (p *Peer) Flow() lab.ConvID {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.flow
}
