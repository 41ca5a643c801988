package p2pserver_test

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/servers/p2pserver"
)

// A lab peer calls the answering peer through the signalling server, with a
// server-reflexive candidate from the STUN server, and hears its echo.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sig := p2pserver.NewSignal(p2pserver.SignalOptions{})
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	go sig.Serve(l)
	defer sig.Close()
	stunSrv := p2pserver.NewSTUN(p2pserver.STUNOptions{})
	pc, _ := net.ListenPacket("udp4", "127.0.0.1:0")
	go stunSrv.Serve(pc)
	defer stunSrv.Close()
	ap := p2pserver.NewAnsweringPeer(p2pserver.PeerOptions{Server: sig})
	sock, _ := net.ListenPacket("udp4", "127.0.0.1:0")
	go ap.Serve(sock)
	defer ap.Close()
	<-sig.Started()
	<-ap.Started()

	s, err := p2pclient.DialSignal(ctx, sig.URL(), p2pclient.SignalOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	peers, _ := s.Join(ctx, "lab", "alice", false)
	fmt.Println("in the room:", peers)
	p, _ := p2pclient.New(p2pclient.Options{STUN: pc.LocalAddr().String()})
	defer p.Close()
	ch, _ := p.OpenChannel("chat", p2pclient.ChannelOptions{})
	echo := make(chan string, 1)
	ch.OnMessage(func(m p2pclient.Message) { echo <- string(m.Data) })
	if err := p.Call(ctx, s, "lab-peer"); err != nil {
		fmt.Println(err)
		return
	}
	ch.WaitOpen(ctx)
	ch.SendText("hello")
	fmt.Println("echo:", <-echo)
	// Output:
	// in the room: [lab-peer]
	// echo: hello
}
