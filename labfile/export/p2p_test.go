package export_test

import (
	"context"
	"testing"

	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/protocols/p2p"
	"github.com/protocollab/protolab/protocols/stun"
	"github.com/protocollab/protolab/protocols/webrtc"
)

// driveP2P has a lab peer call the lab's answering peer through the
// signalling server, with a server-reflexive candidate from the STUN
// server, and exchange one message over a data channel.
func driveP2P(ctx context.Context, t *testing.T, tb *testBench) {
	t.Helper()
	sig, err := p2pclient.DialSignal(ctx, "ws://"+tb.addr[p2p.Name]+p2p.Path, p2pclient.SignalOptions{Tap: tb.tap(p2p.Name)})
	if err != nil {
		t.Fatalf("p2p: %v", err)
	}
	defer sig.Close()
	if _, err := sig.Join(ctx, p2p.DefaultRoom, "", false); err != nil {
		t.Fatalf("p2p: %v", err)
	}
	p, err := p2pclient.New(p2pclient.Options{Tap: tb.tap(webrtc.Name), STUN: tb.addr[stun.Name]})
	if err != nil {
		t.Fatalf("webrtc: %v", err)
	}
	defer p.Close()
	ch, err := p.OpenChannel("chat", p2pclient.ChannelOptions{})
	if err != nil {
		t.Fatalf("webrtc: %v", err)
	}
	echoed := make(chan []byte, 1)
	ch.OnMessage(func(m p2pclient.Message) { echoed <- m.Data })
	if err := p.Call(ctx, sig, ""); err != nil {
		t.Fatalf("webrtc: %v", err)
	}
	if err := ch.WaitOpen(ctx); err != nil {
		t.Fatalf("webrtc: %v", err)
	}
	if err := ch.SendText("hello, peer"); err != nil {
		t.Fatalf("webrtc: %v", err)
	}
	wait(ctx, t, "the answering peer's echo", echoed)
}
