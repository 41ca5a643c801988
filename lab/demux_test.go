package lab

import (
	"net"
	"strings"
	"testing"
	"time"
)

// rtcLayers are fakes of the three protocols RFC 7983 §7 tells apart on one
// WebRTC flow by the first byte: STUN 0–3, DTLS 20–63, RTP and RTCP 128–191.
func rtcLayers(made map[string]int) []*Layer {
	var ls []*Layer
	for _, l := range []*Layer{
		datagramLayer("stun", FirstByte(0, 3)),
		datagramLayer("dtls", FirstByte(20, 63)),
		datagramLayer("rtp", FirstByte(128, 191)),
	} {
		newA := l.New
		l.New = func() Analyzer { made[l.Name]++; return newA() }
		ls = append(ls, l)
	}
	return ls
}

var demuxTests = []struct {
	first byte
	want  string // layer: summary
}{
	{0, "stun: stun \x00a"},
	{3, "stun: stun \x03a"},
	{4, ": datagram of no known protocol (first byte 4, 2 bytes)"},
	{19, ": datagram of no known protocol (first byte 19, 2 bytes)"},
	{20, "dtls: dtls \x14a"},
	{63, "dtls: dtls ?a"},
	{64, ": datagram of no known protocol (first byte 64, 2 bytes)"},
	{127, ": datagram of no known protocol (first byte 127, 2 bytes)"},
	{128, "rtp: rtp \x80a"},
	{191, "rtp: rtp \xbfa"},
	{192, ": datagram of no known protocol (first byte 192, 2 bytes)"},
}

func TestDemux(t *testing.T) {
	made := map[string]int{}
	d := NewDemux()
	d.UseLayers(NewLayers(rtcLayers(made)...))
	d.Opened(OpenInfo{})
	var states []string
	for _, tt := range demuxTests {
		msgs := d.Feed(ClientToServer, []byte{tt.first, 'a'}, time.Time{})
		if len(msgs) != 1 {
			t.Fatalf("first byte %d: %d messages", tt.first, len(msgs))
		}
		if got := msgs[0].Layer + ": " + msgs[0].Summary; got != tt.want {
			t.Errorf("first byte %d: %q, want %q", tt.first, got, tt.want)
		}
		if s := msgs[0].NextState; s != "" {
			states = append(states, msgs[0].Layer+" "+s)
		}
	}
	if made["stun"] != 1 || made["dtls"] != 1 || made["rtp"] != 1 {
		t.Errorf("analyzers made %v, want one per layer", made)
	}
	if got := strings.Join(states, ", "); got != "stun seen, dtls seen, rtp seen" {
		t.Errorf("state changes %q, want each layer's first message to carry its own", got)
	}
	var inner []string
	d.InnerStates(func(layer, state string) { inner = append(inner, layer+" "+state) })
	if got := strings.Join(inner, ", "); got != "stun seen, dtls seen, rtp seen" {
		t.Errorf("InnerStates %q", got)
	}
	if d.State() != "" {
		t.Errorf("State = %q, want none of its own", d.State())
	}
	if msgs := d.Feed(ServerToClient, nil, time.Time{}); len(msgs) != 1 || msgs[0].Summary != "empty datagram" {
		t.Errorf("an empty datagram gave %+v", msgs)
	}

	// A layer's bug costs that layer only.
	msgs := d.Feed(ClientToServer, append([]byte{20}, "\npanic"...), time.Time{})
	if len(msgs) == 0 || msgs[len(msgs)-1].Summary != "the dtls analyzer failed: a bug in dtls" || msgs[len(msgs)-1].Layer != "dtls" {
		t.Errorf("a panicking layer gave %+v", msgs)
	}
	if msgs := d.Feed(ClientToServer, []byte{30}, time.Time{}); len(msgs) != 0 {
		t.Errorf("the failed layer still reports: %+v", msgs)
	}
	if msgs := d.Feed(ClientToServer, []byte{1}, time.Time{}); len(msgs) != 1 || msgs[0].Layer != "stun" {
		t.Errorf("after another layer failed, STUN gave %+v", msgs)
	}

	msgs = d.Closed(CloseInfo{By: SideClient, How: HowIdle})
	var closed []string
	for _, m := range msgs {
		closed = append(closed, m.Layer+": "+m.Summary+" → "+m.NextState)
	}
	if got := strings.Join(closed, ", "); got != "stun: stun closed → closed, rtp: rtp closed → closed" {
		t.Errorf("Closed gave %q", got)
	}
}

func TestDemuxWithoutLayers(t *testing.T) {
	msgs := NewDemux().Feed(ClientToServer, []byte{20, 1}, time.Time{})
	if len(msgs) != 1 || !strings.HasPrefix(msgs[0].Summary, "datagram of no known protocol") || msgs[0].Ref != "RFC 7983 §7" {
		t.Errorf("a Demux with no table gave %+v", msgs)
	}
}

// TestDemuxHub sends datagrams of the three kinds over one real UDP flow through
// a hub whose protocol is a Demux: each shows in its own layer.
func TestDemuxHub(t *testing.T) {
	made := map[string]int{}
	reg := &Registry{}
	p := &Protocol{Name: "rtc", Transport: "udp", Connectionless: true,
		NewAnalyzer: func() Analyzer { return NewDemux() }, Layers: rtcLayers(made)}
	reg.Register(p)
	h := NewHub(HubOptions{Registry: reg})
	tap := h.Tap(p)
	// Two peers, as WebRTC's are: each socket tapped, one flow between them.
	var peers [2]net.PacketConn
	for i, side := range []Side{SideClient, SideServer} {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		peers[i] = tap.PacketConn(pc, side)
		defer peers[i].Close()
	}
	buf := make([]byte, 64)
	for _, b := range [][]byte{{0, 'b'}, {22, 'h'}, {0x80, 'm'}, {0x80, 'n'}, {70, 'x'}} {
		if _, err := peers[0].WriteTo(b, peers[1].LocalAddr()); err != nil {
			t.Fatal(err)
		}
		peers[1].SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, _, err := peers[1].ReadFrom(buf); err != nil {
			t.Fatal(err)
		}
	}
	h.Settle()
	var got []string
	for _, e := range h.Events(0) {
		switch e.Kind {
		case KindMessage:
			got = append(got, e.Layer+": "+e.Msg.Summary)
		case KindState:
			got = append(got, e.Layer+" is "+e.To)
		}
	}
	want := "stun: stun \x00b|stun is seen|dtls: dtls \x16h|dtls is seen|rtp: rtp \x80m|rtp is seen|rtp: rtp \x80n|" +
		"rtc: datagram of no known protocol (first byte 70, 2 bytes)"
	if strings.Join(got, "|") != want {
		t.Errorf("events\n%q\nwant\n%q", strings.Join(got, "|"), want)
	}
	if made["rtp"] != 1 {
		t.Errorf("%d RTP analyzers for one flow, want 1", made["rtp"])
	}
}
