package inspector

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/protocollab/protolab/app/ui/widgets"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/protocols/udp"
)

func TestInspectorTCPHandshakeAndStates(t *testing.T) {
	reg := &lab.Registry{}
	p := tcp.Protocol()
	reg.Register(p)
	line := lineProtocol()
	reg.Register(line)
	h := lab.NewHub(lab.HubOptions{Registry: reg})
	in := newTestInspector(t, h, reg)

	addr := echoServer(t, h.Tap(p))
	id := exchange(t, h.Tap(p), addr, "hello", "bye")
	waitEnded(t, h, id)
	in.Update()
	if in.Selected() != id {
		t.Fatalf("Selected = %d, want %d", in.Selected(), id)
	}
	c := in.model.Conv(id)
	if n := in.seq.ArrowCount(); n != c.Len() || n == 0 {
		t.Fatalf("%d arrows for %d messages", n, c.Len())
	}
	var handshake, teardown int
	for i := 0; i < c.Len(); i++ {
		e := in.model.Row(c, i)
		a := arrowFor(&e, in.start)
		if e.Kind == lab.KindHandshake && a.Style != widgets.ArrowHandshake {
			t.Errorf("handshake row %d %q drawn in style %d", i, a.Label, a.Style)
		}
		if a.Style == widgets.ArrowHandshake {
			handshake++
		}
		if a.Style == widgets.ArrowTeardown {
			teardown++
		}
		wantFrom := map[lab.Dir]int{lab.ClientToServer: 0, lab.ServerToClient: 1}[e.Dir]
		if a.From != wantFrom || a.To != 1-wantFrom {
			t.Errorf("row %d (%v) drawn from lane %d to %d", i, e.Dir, a.From, a.To)
		}
		if a.Inferred != (e.Msg != nil && !e.Msg.Observed) {
			t.Errorf("row %d: Inferred = %v for Observed %v", i, a.Inferred, e.Msg.Observed)
		}
	}
	if handshake < 3 || teardown == 0 {
		t.Errorf("%d handshake and %d teardown arrows; want the three-way handshake and a teardown", handshake, teardown)
	}
	info := h.Conversation(id).Info(false)
	if got := in.state.Current(); got != info.State || got == "" {
		t.Errorf("state diagram's current state = %q, want the conversation's %q", got, info.State)
	}
	if !strings.HasPrefix(in.stateTitle.Text, "TCP") {
		t.Errorf("state title = %q", in.stateTitle.Text)
	}

	// A line conversation over TCP draws TCP's handshake too, but its own states.
	addr2 := echoServer(t, h.Tap(line))
	id2 := exchange(t, h.Tap(line), addr2, "hello", "quit")
	waitEnded(t, h, id2)
	in.Update()
	if in.Selected() != id2 {
		t.Fatalf("Selected = %d, want %d", in.Selected(), id2)
	}
	if got := in.state.Current(); got != "done" {
		t.Errorf("line conversation's current state = %q, want done", got)
	}
	if got := listText(in, 0); !strings.Contains(got, "tcp") {
		t.Errorf("first message of a line conversation = %q, want TCP's handshake", got)
	}
}

func TestInspectorUDPDatagrams(t *testing.T) {
	reg := &lab.Registry{}
	p := udp.Protocol()
	reg.Register(p)
	h := lab.NewHub(lab.HubOptions{Registry: reg})
	in := newTestInspector(t, h, reg)

	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	spc := h.Tap(p).PacketConn(pc, lab.SideServer)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 2048)
		for {
			n, from, err := spc.ReadFrom(buf)
			if err != nil {
				return
			}
			spc.WriteTo(buf[:n], from)
		}
	}()
	t.Cleanup(func() { spc.Close(); wg.Wait() })

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := h.Tap(p).Dial(ctx, "udp", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))
	id := lab.ConnConversation(c).ID()
	buf := make([]byte, 64)
	for _, d := range []string{"ping 1", "ping 2"} {
		if _, err := c.Write([]byte(d)); err != nil {
			t.Fatal(err)
		}
		n, err := c.Read(buf)
		if err != nil || string(buf[:n]) != d {
			t.Fatalf("echo of %q = %q, %v", d, buf[:n], err)
		}
	}
	c.Close()
	waitEnded(t, h, id)
	in.Update()

	if in.Selected() != id {
		t.Fatalf("Selected = %d, want %d", in.Selected(), id)
	}
	if n := in.msgs.list.Length(); n != 4 || in.seq.ArrowCount() != 4 {
		t.Errorf("%d datagrams listed, %d arrows; want 4 and 4", n, in.seq.ArrowCount())
	}
	if got := listText(in, 3); !strings.Contains(got, "←") {
		t.Errorf("fourth datagram = %q, want it from the server", got)
	}
	if got := in.state.Current(); got != "" {
		t.Errorf("UDP state = %q, want none", got)
	}
	if !strings.Contains(in.stateTitle.Text, "no state") {
		t.Errorf("state title = %q, want it to say UDP has no state", in.stateTitle.Text)
	}
	if in.detail.kernelOn {
		t.Errorf("a UDP flow shows a TCP kernel view")
	}
}
