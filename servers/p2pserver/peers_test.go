package p2pserver

import (
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/lab"
)

func messages(hub *lab.Hub) []string {
	var got []string
	for _, e := range hub.Events(0) {
		if e.Kind == lab.KindMessage || e.Kind == lab.KindHandshake {
			got = append(got, e.Layer+": "+e.Msg.Summary)
		}
	}
	return got
}

// TestTwoPeers: two lab peers meet through the lab's signalling and say
// hello over a data channel.
func TestTwoPeers(t *testing.T) {
	r := newRig(t, true)
	a := r.peer(t, lab.SideClient, p2pclient.Options{})
	_, ca, cb := r.pair(t, a, p2pclient.Options{}, "lab", p2pclient.ChannelOptions{})
	got := make(chan string, 1)
	cb.OnMessage(func(m p2pclient.Message) { got <- string(m.Data) })
	if err := ca.SendText("hello"); err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-got:
		if s != "hello" {
			t.Errorf("b got %q", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no hello")
	}
	r.hub.Settle()
	all := messages(r.hub)
	if testing.Verbose() {
		t.Log(strings.Join(all, "\n"))
	}
}
