package daytimeclient_test

import (
	"context"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/daytimeclient"
	"github.com/protocollab/protolab/clients/labdial"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/daytime"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/daytimeserver"
)

// TestGet: the lab's client asks the lab's server, both tapped, and the lab
// shows one conversation: the answer, the states connected → answered →
// closed, and the server closing first.
func TestGet(t *testing.T) {
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	p := daytime.Protocol()
	reg.Register(p)
	h := lab.NewHub(lab.HubOptions{Registry: reg})
	srv, err := daytimeserver.New(daytimeserver.Options{
		Tap: h.Tap(p),
		Now: func() time.Time { return time.Date(2026, time.December, 5, 12, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	addr := l.Addr().String()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a, err := daytimeclient.Get(ctx, &labdial.Dialer{Tap: h.Tap(p)}, addr)
	if err != nil {
		t.Fatal(err)
	}
	if a.Text != "Saturday, December 5, 2026 12:00:00-UTC" || a.Conv == 0 {
		t.Fatalf("Get = %q in conversation %d, want the time in a captured conversation", a.Text, a.Conv)
	}
	h.Settle()
	info := h.Conversation(a.Conv).Info(false)
	if !info.ClientSeen || !info.ServerSeen || info.ClosedBy != lab.SideServer {
		t.Errorf("conversation: client seen %v, server seen %v, closed first by %v; want both taps and the server first",
			info.ClientSeen, info.ServerSeen, info.ClosedBy)
	}
	var summaries, states []string
	for _, e := range h.ConvEvents(a.Conv) {
		switch {
		case e.Kind == lab.KindMessage && e.Layer == daytime.Name:
			summaries = append(summaries, e.Msg.Summary)
		case e.Kind == lab.KindState && e.Layer == daytime.Name:
			states = append(states, e.To)
		}
	}
	if want := []string{"daytime: Saturday, December 5, 2026 12:00:00-UTC"}; !slices.Equal(summaries, want) {
		t.Errorf("messages = %q, want %q", summaries, want)
	}
	if want := []string{daytime.StateConnected, daytime.StateAnswered, daytime.StateClosed}; !slices.Equal(states, want) {
		t.Errorf("states = %q, want %q", states, want)
	}
}

func TestNoServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := daytimeclient.Get(ctx, nil, "127.0.0.1:1")
	if err == nil || !strings.HasPrefix(err.Error(), "daytimeclient: ") {
		t.Errorf("Get from a closed port = %v, want a daytimeclient error", err)
	}
}
