package p2pserver

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/p2p"
	"github.com/protocollab/protolab/protocols/stun"
	"github.com/protocollab/protolab/protocols/webrtc"
)

// labBench is a bench with the P2P server's three parts, each on a free port.
func labBench(t *testing.T) *lab.Bench {
	reg := &lab.Registry{}
	reg.RegisterModules(
		lab.Module{Protocol: p2p.Protocol(), Server: &Module},
		lab.Module{Protocol: stun.Protocol(), Server: &STUNModule},
		lab.Module{Protocol: webrtc.Protocol(), Server: &PeerModule},
	)
	b := lab.NewBench(lab.NewHub(lab.HubOptions{Registry: reg}), reg)
	for _, n := range reg.Names() {
		b.SetPort(n, 0)
	}
	t.Cleanup(b.StopAll)
	return b
}

// TestLabAnsweringPeer: the bench starts the signalling server, the STUN
// server and the answering peer with one switch; a lab peer calls the
// answering peer in the room "lab" and gets back every message and a file.
// The answering peer's own signalling is in process: when the call is over
// and the servers stop, no conversation stays open.
func TestLabAnsweringPeer(t *testing.T) {
	b := labBench(t)
	if err := b.Start(webrtc.Name); err == nil || !strings.Contains(err.Error(), "start it first") {
		t.Errorf("the answering peer without signalling: %v, want an error saying to start it first", err)
	}
	if errs := b.StartAll(b.Registry().WithParts(p2p.Name)...); len(errs) > 0 {
		t.Fatal(errs)
	}
	hub := b.Hub()
	reg := b.Registry()
	ctx := timeout(t, 30*time.Second)
	sig, err := p2pclient.DialSignal(ctx, "ws://"+b.Addr(p2p.Name)+p2p.Path, p2pclient.SignalOptions{Tap: hub.Tap(reg.Lookup(p2p.Name))})
	if err != nil {
		t.Fatal(err)
	}
	peers, err := sig.Join(ctx, p2p.DefaultRoom, "", false)
	if err != nil || len(peers) != 1 || peers[0] != "lab-peer" {
		t.Fatalf("join = %v, %v; want the room's one peer lab-peer", peers, err)
	}
	p, err := p2pclient.New(p2pclient.Options{Tap: hub.Tap(reg.Lookup(webrtc.Name)), STUN: b.Addr(stun.Name)})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ch, err := p.OpenChannel("echo", p2pclient.ChannelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	texts := make(chan string, 1)
	files := make(chan p2pclient.File, 1)
	ch.OnMessage(func(m p2pclient.Message) { texts <- string(m.Data) })
	ch.OnFile(func(f p2pclient.File) { files <- f })
	if err := p.Call(ctx, sig, ""); err != nil {
		t.Fatal(err)
	}
	if err := ch.WaitOpen(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ch.SendText("hello, lab peer"); err != nil {
		t.Fatal(err)
	}
	if got := <-texts; got != "hello, lab peer" {
		t.Errorf("echo = %q", got)
	}
	data := make([]byte, 300<<10)
	rand.Read(data)
	if err := ch.SendFile(ctx, "random.bin", bytes.NewReader(data), int64(len(data))); err != nil {
		t.Fatal(err)
	}
	select {
	case f := <-files:
		if f.Err != nil || f.Name != "random.bin" || !bytes.Equal(f.Data, data) {
			t.Errorf("file echoed: %s, %d bytes, %v; want random.bin whole", f.Name, len(f.Data), f.Err)
		}
	case <-ctx.Done():
		t.Fatal("no file echoed")
	}
	if n := b.Status(webrtc.Name).Sessions; n != 1 {
		t.Errorf("the answering peer's sessions = %d, want 1", n)
	}
	if ap := LabPeer(b); ap == nil || len(ap.Peers()) != 1 {
		t.Errorf("LabPeer = %v, want the running peer with one connection", ap)
	}
	flow := hub.Conversation(p.Flow()).Info(false)
	if flow.Link.Kind != lab.LinkSignal || flow.Link.Parent != sig.Conversation() {
		t.Errorf("the flow's link = %+v, want the signalling conversation %d", flow.Link, sig.Conversation())
	}
	p.Close()
	sig.Close()
	b.StopAll()
	hub.Settle()
	for _, c := range hub.Conversations() {
		if c.Live && !c.Datagram {
			t.Errorf("conversation %d (%s %s → %s) still open", c.ID, c.Protocol, c.Client, c.Server)
		}
	}
}

// TestChatMode: in chat mode the answering peer echoes nothing; its owner
// hears what comes in and answers on the same channel.
func TestChatMode(t *testing.T) {
	r := newRig(t, false)
	ap := NewAnsweringPeer(PeerOptions{Server: r.sig, Chat: true})
	heard := make(chan string, 1)
	ap.OnChannel(func(c *p2pclient.Channel) {
		c.OnMessage(func(m p2pclient.Message) {
			heard <- string(m.Data)
			c.SendText("hello from the lab")
		})
	})
	startPeer(t, ap)
	ctx := timeout(t, 30*time.Second)
	sig := r.dial(t, "lab", "alice")
	p := r.peer(t, lab.SideClient, p2pclient.Options{})
	ch, _ := p.OpenChannel("chat", p2pclient.ChannelOptions{})
	got := make(chan string, 2)
	ch.OnMessage(func(m p2pclient.Message) { got <- string(m.Data) })
	if err := p.Call(ctx, sig, "lab-peer"); err != nil {
		t.Fatal(err)
	}
	ch.WaitOpen(ctx)
	ch.SendText("hi")
	if s := <-heard; s != "hi" {
		t.Errorf("the lab's peer heard %q", s)
	}
	if s := <-got; s != "hello from the lab" {
		t.Errorf("alice got %q first, want the owner's answer (no echo)", s)
	}
	if n := len(ap.Peers()); n != 1 {
		t.Errorf("%d peers, want 1", n)
	}
}

// TestLabPeerForgotten: once stopped, the bench's answering peer is no
// longer found, and a new start is found again.
func TestLabPeerForgotten(t *testing.T) {
	b := labBench(t)
	if errs := b.StartAll(b.Registry().WithParts(p2p.Name)...); len(errs) > 0 {
		t.Fatal(errs)
	}
	first := LabPeer(b)
	if first == nil {
		t.Fatal("no answering peer found while it runs")
	}
	b.StopAll()
	if LabPeer(b) != nil {
		t.Error("the stopped answering peer is still found")
	}
	if errs := b.StartAll(b.Registry().WithParts(p2p.Name)...); len(errs) > 0 {
		t.Fatal(errs)
	}
	if p := LabPeer(b); p == nil || p == first {
		t.Errorf("after a restart LabPeer = %p, want a new peer (not %p)", p, first)
	}
}
