package p2pclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/pion/ice/v4"
	pion "github.com/pion/webrtc/v4"
	"github.com/protocollab/protolab/protocols/p2p"
	"github.com/protocollab/protolab/protocols/stun"
)

// ErrNoChannel is CreateOffer's error for a peer with no data channel: the
// offer's m=application section, and so SCTP, comes from one.
var ErrNoChannel = errors.New("p2pclient: no data channel to offer: open one (OpenChannel) before the offer")

// CreateOffer makes the peer's SDP offer with every candidate gathered (no
// trickle): host on the peer's socket and, with Options.STUN, the
// server-reflexive one. Open at least one channel first. The peer's ICE
// password goes to the key log before the offer is returned.
func (p *Peer) CreateOffer(ctx context.Context) (string, error) {
	if len(p.Channels()) == 0 {
		return "", ErrNoChannel
	}
	p.mu.Lock()
	p.offerer = true
	p.mu.Unlock()
	offer, err := p.pc.CreateOffer(nil)
	if err != nil {
		return "", fmt.Errorf("p2pclient: create offer: %w", err)
	}
	return p.local(ctx, offer)
}

// AcceptAnswer takes the remote peer's SDP answer to CreateOffer's offer; ICE
// then checks the candidate pairs (Connected waits for the outcome).
func (p *Peer) AcceptAnswer(answer string) error {
	p.logRemote(answer)
	if err := p.pc.SetRemoteDescription(pion.SessionDescription{Type: pion.SDPTypeAnswer, SDP: answer}); err != nil {
		return fmt.Errorf("p2pclient: the answer does not fit the offer: %w", err)
	}
	return nil
}

// Answer takes a remote peer's SDP offer and returns the peer's answer, every
// candidate gathered: what a WHIP endpoint does with a POSTed offer (RFC 9725
// §4.2) and what Serve does with each offer from the signalling server.
func (p *Peer) Answer(ctx context.Context, offer string) (string, error) {
	p.logRemote(offer)
	if err := p.pc.SetRemoteDescription(pion.SessionDescription{Type: pion.SDPTypeOffer, SDP: offer}); err != nil {
		return "", fmt.Errorf("p2pclient: bad offer: %w", err)
	}
	answer, err := p.pc.CreateAnswer(nil)
	if err != nil {
		return "", fmt.Errorf("p2pclient: create answer: %w", err)
	}
	return p.local(ctx, answer)
}

// local sets d as the local description, waits for gathering, and returns
// the SDP to send: with the server-reflexive candidate, the password logged.
func (p *Peer) local(ctx context.Context, d pion.SessionDescription) (string, error) {
	srflx := p.reflexive()
	gathered := pion.GatheringCompletePromise(p.pc)
	if err := p.pc.SetLocalDescription(d); err != nil {
		return "", fmt.Errorf("p2pclient: set local description: %w", err)
	}
	select {
	case <-gathered:
	case <-ctx.Done():
		return "", fmt.Errorf("p2pclient: gathering candidates: %w", ctx.Err())
	}
	sdp := p.pc.LocalDescription().SDP
	if srflx != "" {
		sdp = addCandidate(sdp, srflx)
	}
	if p.keys != nil {
		p.keys.Write([]byte(stun.KeyLogLine(p2p.ICECredentials(sdp))))
	}
	p.setSDP(0, sdp)
	return sdp, nil
}

// logRemote logs the remote peer's ICE password from its SDP, so checks sent
// to it are verified too (an outside peer logs nothing of its own).
func (p *Peer) logRemote(sdp string) {
	p.setSDP(1, sdp)
	if ufrag, pwd := p2p.ICECredentials(sdp); p.keys != nil && ufrag != "" && pwd != "" {
		p.keys.Write([]byte(stun.KeyLogLine(ufrag, pwd)))
	}
}

// reflexive asks the STUN server for the socket's address as it sees it and
// returns the server-reflexive candidate (RFC 8445 §5.1.1.1) as an SDP
// attribute value, "" without a server or an answer. pion's own gathering
// would ask from a socket of its own, outside the tap: the lab's peers ask
// from their one socket, through the ICE mux that reads its answer.
func (p *Peer) reflexive() string {
	if p.opts.STUN == "" {
		return ""
	}
	cand, err := p.askSTUN()
	if err == nil {
		p.state(State{Layer: LayerSTUN, State: "answered"})
		return cand
	}
	p.state(State{Layer: LayerSTUN, State: "failed",
		Err: fmt.Errorf("p2pclient: no server-reflexive candidate: the STUN server at %s: %w (is the lab's STUN server running?)", p.opts.STUN, err)})
	return ""
}

func (p *Peer) askSTUN() (string, error) {
	server, err := net.ResolveUDPAddr("udp4", p.opts.STUN)
	if err != nil {
		return "", err
	}
	xor, err := p.sock.mux.GetXORMappedAddr(server, p.opts.STUNTimeout)
	// The question is over: its flow ends now, not when it idles. (The STUN
	// server cannot end it: it does not know when its answer has been read.)
	p.sock.endFlows([]string{server.String()})
	if err != nil {
		return "", err
	}
	local := p.sock.Addr().(*net.UDPAddr)
	c, err := ice.NewCandidateServerReflexive(&ice.CandidateServerReflexiveConfig{
		Network: "udp", Address: xor.IP.String(), Port: xor.Port, Component: 1,
		RelAddr: local.IP.String(), RelPort: local.Port,
	})
	if err != nil {
		return "", err
	}
	return "candidate:" + c.Marshal(), nil
}

// addCandidate adds the attribute value cand ("candidate:...") to the SDP's
// first media section, after its last candidate.
func addCandidate(sdp, cand string) string {
	lines := strings.SplitAfter(sdp, "\n")
	at := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "a=candidate:") {
			at = i
		}
		if strings.HasPrefix(l, "m=") && at >= 0 {
			break
		}
	}
	if at < 0 {
		for i, l := range lines { // no candidate yet: after the media line
			if strings.HasPrefix(l, "m=") {
				at = i
				break
			}
		}
	}
	if at < 0 {
		return sdp
	}
	line := "a=" + cand + "\r\n"
	return strings.Join(lines[:at+1], "") + line + strings.Join(lines[at+1:], "")
}
