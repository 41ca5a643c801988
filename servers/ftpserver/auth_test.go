package ftpserver_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/servers/ftpserver"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// TestWrongPasswordDelay: each wrong PASS from an address waits longer than the
// one before, on any connection; the right password starts the count again, and
// an anonymous login does not.
func TestWrongPasswordDelay(t *testing.T) {
	srv, addr, logs := startServer(t, ftpserver.Options{AuthDelay: time.Millisecond})
	var delays servertest.AuthDelays
	ftpserver.ObserveAuthDelay(srv, delays.Observe)
	wrong := func(cc *ctrl, pass string) {
		t.Helper()
		cc.cmd(331, "USER lab")
		cc.cmd(530, "PASS "+pass)
	}
	cc := dial(t, addr)
	wrong(cc, "wrong")
	wrong(cc, "worse")
	wrong(dial(t, addr), "again") // a new connection is the same guesser
	cc.cmd(331, "USER anonymous")
	cc.cmd(230, "PASS me@example.test")
	wrong(cc, "still")
	cc.cmd(331, "USER lab")
	cc.cmd(230, "PASS lab")
	wrong(dial(t, addr), "after")

	if got, want := delays.Counts(), []int{1, 2, 3, 4, 1}; !slices.Equal(got, want) {
		t.Errorf("failures counted = %v, want %v", got, want)
	}
	waits := delays.Waits()
	for i := 1; i < 4; i++ {
		if waits[i] <= waits[i-1] {
			t.Errorf("failure %d waited %v, not longer than failure %d's %v", i+1, waits[i], i, waits[i-1])
		}
	}
	if waits[4] != waits[0] {
		t.Errorf("after the right password the wait is %v, want the first's %v", waits[4], waits[0])
	}
	if n := strings.Count(logs.String(), "failed login"); n != 5 {
		t.Errorf("%d failed logins logged, want 5:\n%s", n, logs)
	}
}

// TestWrongPasswordShutdown: a server shutting down does not wait out the delay
// of a wrong password: the PASS is answered 421 at once, not 530.
func TestWrongPasswordShutdown(t *testing.T) {
	srv, addr, _ := startServer(t, ftpserver.Options{AuthDelay: time.Hour})
	waiting := make(chan struct{})
	ftpserver.ObserveAuthDelay(srv, func(int, time.Duration) { close(waiting) })
	cc := dial(t, addr)
	cc.cmd(331, "USER lab")
	cc.send("PASS wrong")
	<-waiting
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Errorf("Shutdown = %v", err)
	}
	cc.expect(421)
}
