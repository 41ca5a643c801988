package udp_test

import (
	"net"
	"slices"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/udp"
)

func listen(t *testing.T, tap *lab.Tap, side lab.Side) net.PacketConn {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := pc.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	pc = tap.PacketConn(pc, side)
	t.Cleanup(func() { pc.Close() })
	return pc
}

// TestHubEcho sends datagrams from a tapped client to a tapped echo loop: the two
// taps make one flow, and each datagram is one message, seen once.
func TestHubEcho(t *testing.T) {
	reg := &lab.Registry{}
	p := udp.Protocol()
	reg.Register(p)
	hub := lab.NewHub(lab.HubOptions{Registry: reg})
	tap := hub.Tap(p)
	server := listen(t, tap, lab.SideServer)
	client := listen(t, tap, lab.SideClient)

	sent := [][]byte{[]byte("hello"), {}, {0, 1, 2, 0xff}}
	buf := make([]byte, 2048)
	for _, d := range sent {
		if _, err := client.WriteTo(d, server.LocalAddr()); err != nil {
			t.Fatal(err)
		}
		n, from, err := server.ReadFrom(buf)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := server.WriteTo(buf[:n], from); err != nil {
			t.Fatal(err)
		}
		n, _, err = client.ReadFrom(buf)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(buf[:n], d) {
			t.Fatalf("echo = %q, want %q", buf[:n], d)
		}
	}

	hub.Settle()
	convs := hub.Conversations()
	if len(convs) != 1 || !convs[0].ClientSeen || !convs[0].ServerSeen {
		t.Fatalf("conversations = %+v, want one flow seen by both taps", convs)
	}
	var got []string
	var raws [][]byte
	for _, e := range hub.ConvEvents(convs[0].ID) {
		switch {
		case e.Kind == lab.KindState || e.Kind == lab.KindHandshake:
			t.Errorf("UDP event %v %q %q: UDP has no handshake and no state", e.Kind, e.To, e.Text)
		case e.Kind == lab.KindMessage:
			got = append(got, e.Dir.Arrow()+" "+e.Msg.Summary)
			raws = append(raws, e.Msg.Raw)
		}
	}
	want := []string{
		`→ datagram 5 bytes "hello"`, `← datagram 5 bytes "hello"`,
		`→ datagram 0 bytes ""`, `← datagram 0 bytes ""`,
		`→ datagram 4 bytes binary: 00 01 02 ff`, `← datagram 4 bytes binary: 00 01 02 ff`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("messages = %q, want %q", got, want)
	}
	for i, r := range raws {
		if i/2 < len(sent) && !slices.Equal(r, sent[i/2]) {
			t.Errorf("message %d Raw = %q, want %q", i, r, sent[i/2])
		}
	}
}
