package stun_test

import (
	"net"
	"strings"
	"testing"
	"time"

	pstun "github.com/pion/stun/v4"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/stun"
)

// TestHub: a plain STUN conversation over tapped loopback sockets, a binding
// request and the server's answer with the client's address, shows as one flow
// with the request and its paired answer.
func TestHub(t *testing.T) {
	reg := &lab.Registry{}
	p := stun.Protocol()
	reg.Register(p)
	hub := lab.NewHub(lab.HubOptions{Registry: reg})
	tap := hub.Tap(p)
	var socks [2]net.PacketConn
	for i, side := range []lab.Side{lab.SideClient, lab.SideServer} {
		pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		pc.SetDeadline(time.Now().Add(5 * time.Second))
		socks[i] = tap.PacketConn(pc, side)
		defer socks[i].Close()
	}
	client, server := socks[0], socks[1]
	req := pstun.MustBuild(pstun.TransactionID, pstun.BindingRequest, pstun.Fingerprint)
	if _, err := client.WriteTo(req.Raw, server.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1500)
	n, from, err := server.ReadFrom(buf)
	if err != nil {
		t.Fatal(err)
	}
	var got pstun.Message
	if err := pstun.Decode(buf[:n], &got); err != nil {
		t.Fatal(err)
	}
	ua := from.(*net.UDPAddr)
	resp := pstun.MustBuild(pstun.NewTransactionIDSetter(got.TransactionID), pstun.BindingSuccess,
		&pstun.XORMappedAddress{IP: ua.IP, Port: ua.Port}, pstun.NewSoftware("lab"), pstun.Fingerprint)
	if _, err := server.WriteTo(resp.Raw, from); err != nil {
		t.Fatal(err)
	}
	if _, _, err := client.ReadFrom(buf); err != nil {
		t.Fatal(err)
	}
	hub.Settle()
	var msgs []*lab.Message
	for _, e := range hub.Events(0) {
		if e.Kind == lab.KindMessage {
			msgs = append(msgs, e.Msg)
		}
	}
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want 2", len(msgs))
	}
	if msgs[0].Summary != "Binding request" || msgs[1].Summary != "Binding success response ("+client.LocalAddr().String()+")" {
		t.Errorf("messages %q, %q", msgs[0].Summary, msgs[1].Summary)
	}
	if msgs[0].Role != lab.RoleRequest || msgs[1].Role != lab.RoleAnswer || msgs[0].Pair != msgs[1].Pair || msgs[0].Pair == "" {
		t.Errorf("pairing: %v %q, %v %q", msgs[0].Role, msgs[0].Pair, msgs[1].Role, msgs[1].Pair)
	}
	if !strings.Contains(msgs[0].Meaning, "which address and port") {
		t.Errorf("meaning %q", msgs[0].Meaning)
	}
}
