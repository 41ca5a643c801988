package lab

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// lineAnalyzer frames newline-terminated lines; enough to exercise the conversation
// machinery without a protocol package.
type lineAnalyzer struct {
	pending [3][]byte
	state   string
}

func (a *lineAnalyzer) Feed(dir Dir, b []byte, at time.Time) []Message {
	a.pending[dir] = append(a.pending[dir], b...)
	var out []Message
	for {
		i := bytes.IndexByte(a.pending[dir], '\n')
		if i < 0 {
			return out
		}
		line := a.pending[dir][:i+1]
		a.pending[dir] = a.pending[dir][i+1:]
		out = append(out, Message{Dir: dir, Summary: string(line[:i]), Raw: line, NextState: "talking"})
	}
}
func (a *lineAnalyzer) State() string { return a.state }
func (a *lineAnalyzer) Opened(info OpenInfo) []Message {
	if info.Joined {
		return nil
	}
	a.state = "open"
	return []Message{{Dir: ClientToServer, Summary: "SYN", Handshake: true}}
}
func (a *lineAnalyzer) Closed(info CloseInfo) []Message {
	a.state = "closed"
	return []Message{{Dir: info.By.Outbound(), Summary: info.How, Teardown: true}}
}

func testHub(t *testing.T) (*Hub, *Tap) {
	t.Helper()
	reg := &Registry{}
	p := &Protocol{Name: "line", Transport: "line", NewAnalyzer: func() Analyzer { return &lineAnalyzer{} }}
	reg.Register(p)
	h := NewHub(HubOptions{Registry: reg})
	return h, h.Tap(p)
}

// echoServer serves a tapped echo on 127.0.0.1:0 until the test ends.
func echoServer(t *testing.T, tap *Tap) net.Addr {
	return tappedServer(t, tap, func(c net.Conn) {
		io.Copy(c, c)
		c.Close()
	})
}

// tappedServer serves each connection tap accepts on 127.0.0.1:0 with serve,
// until the test ends.
func tappedServer(t *testing.T, tap *Tap, serve func(net.Conn)) net.Addr {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	serveTapped(tap.Listener(l), &wg, serve)
	return l.Addr()
}

// serveTapped accepts connections on tl until it is closed, serving each with
// serve in a goroutine of its own; wg counts the goroutines.
func serveTapped(tl net.Listener, wg *sync.WaitGroup, serve func(net.Conn)) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := tl.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				serve(c)
			}()
		}
	}()
}

func waitEnded(t *testing.T, h *Hub, id ConvID) ConvInfo {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		info := h.Conversation(id).Info(false)
		if !info.Live {
			return info
		}
		if time.Now().After(deadline) {
			t.Fatalf("conversation %d still live: %+v", id, info)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestJoinedConversation(t *testing.T) {
	h, tap := testHub(t)
	addr := echoServer(t, tap)
	c, err := tap.Dial(context.Background(), "tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("hello\nworld\n")
	if _, err := c.Write(msg); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatal(err)
	}
	id := ConnConversation(c).ID()
	c.Close()
	info := waitEnded(t, h, id)

	if convs := h.Conversations(); len(convs) != 1 {
		t.Fatalf("%d conversations, want 1 joined: %+v", len(convs), convs)
	}
	if !info.ClientSeen || !info.ServerSeen {
		t.Errorf("ClientSeen %v ServerSeen %v, want both", info.ClientSeen, info.ServerSeen)
	}
	if info.BytesC2S != int64(len(msg)) || info.BytesS2C != int64(len(msg)) {
		t.Errorf("bytes c2s %d s2c %d, want %d each (counted once)", info.BytesC2S, info.BytesS2C, len(msg))
	}
	if info.ClosedBy != SideClient || info.CloseHow != HowFIN {
		t.Errorf("closed by %v (%s), want client (FIN)", info.ClosedBy, info.CloseHow)
	}
	var summaries []string
	closes := 0
	for _, e := range h.ConvEvents(id) {
		switch e.Kind {
		case KindMessage, KindHandshake:
			summaries = append(summaries, e.Dir.Arrow()+e.Msg.Summary)
		case KindClose:
			closes++
		}
	}
	want := []string{"→SYN", "→hello", "→world", "←hello", "←world", "→FIN", "←FIN"}
	if len(summaries) != len(want) {
		t.Fatalf("messages %q, want %q", summaries, want)
	}
	for i := range want {
		if summaries[i] != want[i] {
			t.Errorf("message %d = %q, want %q (all: %q)", i, summaries[i], want[i], summaries)
		}
	}
	if closes != 2 {
		t.Errorf("%d close events, want 2 (client FIN, server FIN; each once)", closes)
	}
}

func TestAbortIsReset(t *testing.T) {
	h, tap := testHub(t)
	addr := echoServer(t, tap)
	c, err := tap.Dial(context.Background(), "tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("x\n"))
	io.ReadFull(c, make([]byte, 2))
	id := ConnConversation(c).ID()
	if err := Abort(c); err != nil {
		t.Fatal(err)
	}
	info := waitEnded(t, h, id)
	if info.ClosedBy != SideClient || info.CloseHow != HowRST {
		t.Errorf("closed by %v (%s), want client (RST)", info.ClosedBy, info.CloseHow)
	}
}

func TestTapRecordsExactBytes(t *testing.T) {
	h, tap := testHub(t)
	addr := echoServer(t, tap)
	c, err := net.Dial("tcp", addr.String()) // an outside client: server side only
	if err != nil {
		t.Fatal(err)
	}
	sent := make([]byte, 1<<20)
	for i := range sent {
		sent[i] = byte(i * 7)
	}
	go func() { c.Write(sent); c.(*net.TCPConn).CloseWrite() }()
	back, err := io.ReadAll(c)
	if err != nil || !bytes.Equal(back, sent) {
		t.Fatalf("echo returned %d bytes (err %v), want %d equal", len(back), err, len(sent))
	}
	c.Close()
	h.Settle() // the data events are published with the conversation's analysis
	convs := h.Conversations()
	if len(convs) != 1 || convs[0].ClientSeen || !convs[0].ServerSeen {
		t.Fatalf("conversations %+v, want one seen by the server only", convs)
	}
	var c2s, s2c []byte
	for _, e := range h.ConvEvents(convs[0].ID) {
		if e.Kind != KindData {
			continue
		}
		if e.Dir == ClientToServer {
			c2s = append(c2s, e.Data...)
		} else {
			s2c = append(s2c, e.Data...)
		}
	}
	if !bytes.Equal(c2s, sent) || !bytes.Equal(s2c, sent) {
		t.Errorf("tap recorded c2s %d bytes, s2c %d bytes; want exactly the %d sent each way", len(c2s), len(s2c), len(sent))
	}
}

// udpTap is a hub with a UDP protocol, its tap, and a UDP socket on
// 127.0.0.1 to tap.
func udpTap(t *testing.T) (*Hub, *Tap, net.PacketConn) {
	t.Helper()
	reg := &Registry{}
	p := &Protocol{Name: "udp", Transport: "udp", Connectionless: true}
	reg.Register(p)
	h := NewHub(HubOptions{Registry: reg})
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return h, h.Tap(p), pc
}

func TestPacketFlowsJoin(t *testing.T) {
	h, tap, pc := udpTap(t)
	spc := tap.PacketConn(pc, SideServer)
	defer spc.Close()
	go func() {
		buf := make([]byte, 2048)
		for {
			n, a, err := spc.ReadFrom(buf)
			if err != nil {
				return
			}
			spc.WriteTo(buf[:n], a)
		}
	}()
	raw, err := net.Dial("udp", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := tap.Conn(raw, SideClient)
	for i := 0; i < 3; i++ {
		c.Write([]byte("ping"))
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(make([]byte, 16)); err != nil {
			t.Fatal(err)
		}
	}
	convs := h.Conversations()
	if len(convs) != 1 || !convs[0].ClientSeen || !convs[0].ServerSeen || !convs[0].Datagram {
		t.Fatalf("conversations %+v, want one joined datagram flow", convs)
	}
	if convs[0].BytesC2S != 12 || convs[0].BytesS2C != 12 {
		t.Errorf("flow bytes %d/%d, want 12/12", convs[0].BytesC2S, convs[0].BytesS2C)
	}
	c.Close()
	waitEnded(t, h, convs[0].ID) // fails the test if the flow stays live
	msgs := 0
	for _, e := range h.ConvEvents(convs[0].ID) {
		if e.Kind == KindData && e.Side == SideClient {
			msgs++
		}
	}
	if msgs != 6 {
		t.Errorf("client tap recorded %d datagrams, want 6 (3 sent, 3 received)", msgs)
	}
}

func TestListenErrorIsReadable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = Listen("tcp", l.Addr().String())
	if err == nil {
		t.Fatal("second listen on the same port succeeded")
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	want := "tcp: port " + port + " is in use by another program — choose another port or stop that program"
	if err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	if !errors.Is(err, ErrPortInUse) {
		t.Error("errors.Is(err, ErrPortInUse) = false")
	}
}

// TestEndFlow: a flow ended by the program that knows it is over ends at
// once, and the next datagram with the same peer starts a new conversation.
func TestEndFlow(t *testing.T) {
	h, tap, pc := udpTap(t)
	spc := tap.PacketConn(pc, SideServer)
	defer spc.Close()
	peer, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	buf := make([]byte, 16)
	for i := range 2 {
		peer.WriteTo([]byte("ping"), pc.LocalAddr())
		spc.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, _, err := spc.ReadFrom(buf); err != nil {
			t.Fatal(err)
		}
		convs := h.Conversations()
		if len(convs) != i+1 {
			t.Fatalf("after datagram %d: %d conversations, want %d", i+1, len(convs), i+1)
		}
		if !EndFlow(spc, peer.LocalAddr()) {
			t.Fatal("EndFlow found no flow")
		}
		waitEnded(t, h, convs[i].ID)
	}
	if EndFlow(spc, peer.LocalAddr()) || EndFlow(pc, peer.LocalAddr()) {
		t.Error("EndFlow of an ended flow, or of an untapped socket, reported one")
	}
}

// TestFlowKeys: a peer's datagrams are one flow whichever form its address
// comes in (4- or 16-byte IPv4, or an address of another type naming it), and
// another port is another flow.
func TestFlowKeys(t *testing.T) {
	h, tap, pc := udpTap(t)
	spc := tap.PacketConn(pc, SideServer)
	defer spc.Close()
	var ports [2]int
	for i := range ports {
		peer, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer peer.Close()
		ports[i] = peer.LocalAddr().(*net.UDPAddr).Port
	}
	for _, to := range []net.Addr{
		&net.UDPAddr{IP: net.IPv4(127, 0, 0, 1).To4(), Port: ports[0]},
		&net.UDPAddr{IP: net.IPv4(127, 0, 0, 1).To16(), Port: ports[0]},
		&net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: ports[1]},
	} {
		if _, err := spc.WriteTo([]byte("x"), to); err != nil {
			t.Fatal(err)
		}
	}
	if k1, k2 := keyOf(&net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}), keyOf(&net.UDPAddr{IP: net.IPv4(127, 0, 0, 1).To4(), Port: 9}); k1 != k2 {
		t.Errorf("keys of one peer differ: %v, %v", k1, k2)
	}
	if k := keyOf(&net.UDPAddr{Port: 9}); k.text != ":9" {
		t.Errorf("key of an address without an IP = %+v, want its text", k)
	}
	h.Settle()
	if n := len(h.Conversations()); n != 2 {
		t.Errorf("%d conversations, want 2 (one per peer port)", n)
	}
}

// TestDatagramsKeptOnce: a datagram both taps of a flow see is kept once, the
// receiver's event holding the sender's copy and counting nothing more
// against the bound; what the receiver reads that the sender's tap did not
// keep (or no longer remembers) is copied as before.
func TestDatagramsKeptOnce(t *testing.T) {
	h, tap, pc := udpTap(t)
	spc := tap.PacketConn(pc, SideServer)
	defer spc.Close()
	raw, err := net.Dial("udp", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := tap.Conn(raw, SideClient)
	defer c.Close()
	buf := make([]byte, 64)
	for _, msg := range []string{"one", "two", "three"} {
		c.Write([]byte(msg))
		spc.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, _, err := spc.ReadFrom(buf); err != nil {
			t.Fatal(err)
		}
	}
	// The server's answer, sent from outside its tap: the client's tap copies it.
	if _, err := pc.WriteTo([]byte("untapped"), c.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(buf); err != nil {
		t.Fatal(err)
	}
	h.Settle()
	var sent, got []Event
	for _, e := range h.ConvEvents(h.Conversations()[0].ID) {
		switch {
		case e.Kind != KindData:
		case e.Side == SideClient && e.Dir == ClientToServer:
			sent = append(sent, e)
		case e.Side == SideServer && e.Dir == ClientToServer:
			got = append(got, e)
		case e.Side == SideClient && e.Dir == ServerToClient:
			if e.shared || e.cost < int32(eventCost)+int32(len(e.Data)) {
				t.Errorf("a datagram no tap sent is shared (%v) or not counted whole (cost %d)", e.shared, e.cost)
			}
		}
	}
	if len(sent) != 3 || len(got) != 3 {
		t.Fatalf("%d datagrams sent and %d received seen, want 3 each", len(sent), len(got))
	}
	// The first came before the server's tap joined the flow: it is copied.
	if got[0].shared || &got[0].Data[0] == &sent[0].Data[0] {
		t.Errorf("the first datagram, sent before the receiver's tap was in the flow, is shared")
	}
	for i := 1; i < len(sent); i++ {
		if string(got[i].Data) != string(sent[i].Data) || &got[i].Data[0] != &sent[i].Data[0] || !got[i].shared {
			t.Errorf("datagram %q received as %q: not the sender's copy", sent[i].Data, got[i].Data)
		}
		if got[i].cost >= sent[i].cost {
			t.Errorf("the received %q costs %d, the sent one %d: its bytes count twice", got[i].Data, got[i].cost, sent[i].cost)
		}
	}
}
