package p2pserver

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/p2p"
	"github.com/protocollab/protolab/protocols/stun"
	"github.com/protocollab/protolab/protocols/webrtc"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// rig is a hub with the p2p protocols and a signalling server and a STUN
// server on 127.0.0.1 port 0, for the length of a test.
type rig struct {
	hub     *lab.Hub
	sig     *SignalServer
	signal  string // the signalling URL
	stun    string // the STUN server's address
	sigTap  *lab.Tap
	flowTap *lab.Tap
}

func newHub() *lab.Hub {
	reg := &lab.Registry{}
	reg.Register(p2p.Protocol())
	reg.Register(stun.Protocol())
	reg.Register(webrtc.Protocol())
	return lab.NewHub(lab.HubOptions{Registry: reg})
}

// newRig starts the servers; with capture off (hub nil) nothing is tapped.
func newRig(t testing.TB, capture bool) *rig {
	r := &rig{}
	var stunTap *lab.Tap
	if capture {
		r.hub = newHub()
		reg := r.hub.Registry()
		r.sigTap, r.flowTap, stunTap = r.hub.Tap(reg.Lookup(p2p.Name)), r.hub.Tap(reg.Lookup(webrtc.Name)), r.hub.Tap(reg.Lookup(stun.Name))
	}
	r.sig = NewSignal(SignalOptions{Tap: r.sigTap})
	r.signal = "ws://" + servertest.Start(t, r.sig, ErrServerClosed) + p2p.Path
	r.stun = startSTUN(t, NewSTUN(STUNOptions{Tap: stunTap}))
	return r
}

// startSTUN serves s on a UDP port of 127.0.0.1 until the test ends.
func startSTUN(t testing.TB, s *STUNServer) string {
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(pc) }()
	<-s.Started()
	t.Cleanup(func() {
		s.Close()
		if err := <-served; !errors.Is(err, ErrServerClosed) {
			t.Errorf("STUN Serve = %v", err)
		}
	})
	return pc.LocalAddr().String()
}

func timeout(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// dial connects a signalling client and joins room as name.
func (r *rig) dial(t testing.TB, room, name string) *p2pclient.Signal {
	t.Helper()
	ctx := timeout(t, 10*time.Second)
	sig, err := p2pclient.DialSignal(ctx, r.signal, p2pclient.SignalOptions{Tap: r.sigTap})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sig.Close() })
	if _, err := sig.Join(ctx, room, name, true); err != nil {
		t.Fatal(err)
	}
	return sig
}

// peer makes a lab peer on its own socket, tapped as side; a client's side
// asks the rig's STUN server (see p2pclient.Options.Side).
func (r *rig) peer(t testing.TB, side lab.Side, opts p2pclient.Options) *p2pclient.Peer {
	t.Helper()
	opts.Tap, opts.Side = r.flowTap, side
	if opts.STUN == "" && side == lab.SideClient {
		opts.STUN = r.stun
	}
	p, err := p2pclient.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// pair connects a (offering, as alice) and a new peer b (answering, as bob,
// made with bopts) through the rig's signalling, with one channel "chat"
// opened by a with opts, and returns b and the channel's two ends, open.
func (r *rig) pair(t testing.TB, a *p2pclient.Peer, bopts p2pclient.Options, room string, opts p2pclient.ChannelOptions) (b *p2pclient.Peer, ca, cb *p2pclient.Channel) {
	return r.pairWith(t, a, r.dial(t, room, "alice"), bopts, room, opts)
}

// pairWith is pair with a's signalling connection sa, joined.
func (r *rig) pairWith(t testing.TB, a *p2pclient.Peer, sa *p2pclient.Signal, bopts p2pclient.Options, room string, opts p2pclient.ChannelOptions) (b *p2pclient.Peer, ca, cb *p2pclient.Channel) {
	t.Helper()
	ctx := timeout(t, 30*time.Second)
	sb := r.dial(t, room, "bob")
	bch := make(chan *p2pclient.Channel, 1)
	bopts.OnChannel = func(c *p2pclient.Channel) { bch <- c }
	made := make(chan *p2pclient.Peer, 1)
	ans := &p2pclient.Answerer{NewPeer: func(string) (*p2pclient.Peer, error) {
		p := r.peer(t, lab.SideServer, bopts)
		made <- p
		return p, nil
	}}
	go ans.Serve(ctx, sb)
	ca, err := a.OpenChannel("chat", opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Call(ctx, sa, "bob"); err != nil {
		t.Fatal(err)
	}
	if err := a.Connected(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ca.WaitOpen(ctx); err != nil {
		t.Fatal(err)
	}
	b = <-made
	select {
	case cb = <-bch:
	case <-ctx.Done():
		t.Fatal("b was given no channel")
	}
	if err := cb.WaitOpen(ctx); err != nil {
		t.Fatal(err)
	}
	return b, ca, cb
}

func contains(all []string, want string) bool {
	for _, s := range all {
		if strings.Contains(s, want) {
			return true
		}
	}
	return false
}
