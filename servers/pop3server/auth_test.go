package pop3server_test

import (
	"slices"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/pop3client"
	"github.com/protocollab/protolab/servers/internal/servertest"
	"github.com/protocollab/protolab/servers/mailstore"
	"github.com/protocollab/protolab/servers/pop3server"
)

// TestWrongPasswordDelay: each wrong password from an address waits longer than
// the one before, on any connection, and the inspector shows each wait; the
// right password starts the count again.
func TestWrongPasswordDelay(t *testing.T) {
	hub := newHub()
	srv, addr, _ := startServer(t, pop3server.Options{
		Stores:    []*mailstore.Store{newStore(t, 1)},
		Tap:       hub.Tap(hub.Registry().Lookup("pop3")),
		AuthDelay: time.Millisecond,
	})
	var delays servertest.AuthDelays
	pop3server.ObserveAuthDelay(srv, delays.Observe)
	c := dial(t, addr, nil, pop3client.Options{})
	for range 2 {
		if err := c.Login("alice", "wrong"); !isERR(err, "AUTH") {
			t.Fatalf("wrong password: %v, want -ERR [AUTH]", err)
		}
	}
	c = dial(t, addr, nil, pop3client.Options{}) // a new connection is the same guesser
	if err := c.Login("alice", "worse"); !isERR(err, "AUTH") {
		t.Fatalf("wrong password: %v, want -ERR [AUTH]", err)
	}
	if err := c.Login("alice", "alice"); err != nil {
		t.Fatalf("right password: %v", err)
	}
	c.Quit()
	c = dial(t, addr, nil, pop3client.Options{})
	c.Login("alice", "wrong")

	if got, want := delays.Counts(), []int{1, 2, 3, 1}; !slices.Equal(got, want) {
		t.Errorf("failures counted = %v, want %v", got, want)
	}
	if got, want := delays.Waits(), []time.Duration{time.Millisecond, 2 * time.Millisecond, 4 * time.Millisecond, time.Millisecond}; !slices.Equal(got, want) {
		t.Errorf("waits = %v, want %v", got, want)
	}
	want := []string{
		"wrong password #1 from 127.0.0.1: answer delayed 1ms",
		"wrong password #2 from 127.0.0.1: answer delayed 2ms",
		"wrong password #3 from 127.0.0.1: answer delayed 4ms",
		"wrong password #1 from 127.0.0.1: answer delayed 1ms",
	}
	if got := servertest.DelayNotes(hub); !slices.Equal(got, want) {
		t.Errorf("inspector notes = %q, want %q", got, want)
	}
}
