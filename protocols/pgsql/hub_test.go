package pgsql

import (
	"net"
	"slices"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/tcp"
)

// hubConvs plays each of convs over real sockets on 127.0.0.1 through the
// lab's tap on a hub, waits until the hub has analysed them, and returns the
// hub, its registry and the client ports, in order.
func hubConvs(t *testing.T, convs ...[]step) (*lab.Hub, *lab.Registry, int, []int) {
	t.Helper()
	p := Protocol()
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	reg.Register(p)
	hub := lab.NewHub(lab.HubOptions{Registry: reg})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tl := hub.Tap(p).Listener(l)
	t.Cleanup(func() { tl.Close() })
	var ports []int
	for _, steps := range convs {
		ports = append(ports, play(t, tl, steps))
	}
	deadline := time.Now().Add(15 * time.Second)
	for live := true; live; {
		live = false
		for _, c := range hub.Conversations() {
			live = live || c.Live
		}
		if live && time.Now().After(deadline) {
			t.Fatal("conversations still live")
		}
		time.Sleep(10 * time.Millisecond)
	}
	hub.Settle()
	return hub, reg, tl.Addr().(*net.TCPAddr).Port, ports
}

// TestHub checks the session's states as the hub publishes them, for the
// state diagram: a failed transaction rolled back over a real connection.
func TestHub(t *testing.T) {
	hub, _, _, _ := hubConvs(t, txFail(t))
	convs := hub.Conversations()
	if len(convs) != 1 || convs[0].Protocol != Name {
		t.Fatalf("conversations %+v", convs)
	}
	var states []string
	var requests int
	for _, e := range hub.ConvEvents(convs[0].ID) {
		switch {
		case e.Kind == lab.KindState && e.Layer == Name:
			states = append(states, e.To)
		case e.Msg != nil && e.Msg.Role == lab.RoleRequest:
			requests++
		}
	}
	want := []string{StateStartup, StateAuthenticating, StateIdle, StateTransaction, StateFailed, StateIdle, StateTerminated}
	if !slices.Equal(states, want) {
		t.Errorf("states %q, want %q", states, want)
	}
	if requests != 5 { // the start-up and four queries
		t.Errorf("%d requests", requests)
	}
}
