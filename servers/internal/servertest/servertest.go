// Package servertest holds what the tests of the lab's TCP servers share:
// serving on 127.0.0.1 port 0 for the length of a test, and a log destination
// safe for a server's goroutines.
package servertest

import (
	"bytes"
	"errors"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// Server is a lab server with the net/http lifecycle.
type Server interface {
	Serve(l net.Listener) error
	Started() <-chan struct{}
	Close() error
}

// Start serves srv on 127.0.0.1:0 until the test ends, then closes it and
// checks that Serve returned closed (the server's ErrServerClosed). It returns
// the address served, once srv has started.
func Start(t testing.TB, srv Server, closed error) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	select {
	case <-srv.Started():
	case err := <-served:
		t.Fatalf("Serve = %v before starting", err)
	}
	t.Cleanup(func() {
		srv.Close()
		if err := <-served; !errors.Is(err, closed) {
			t.Errorf("Serve = %v, want %v", err, closed)
		}
	})
	return l.Addr().String()
}

// SyncBuffer is a log destination safe for a server's goroutines.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String is what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// AuthDelays records what a server's wrong-password guard computed (its
// Observe callback): each failure's count in a row and the wait before its
// answer. It is safe for a server's goroutines.
type AuthDelays struct {
	mu     sync.Mutex
	counts []int
	waits  []time.Duration
}

// Observe records one failure; give it to the server's guard.
func (a *AuthDelays) Observe(failures int, wait time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.counts = append(a.counts, failures)
	a.waits = append(a.waits, wait)
}

// Counts are the failures counted so far, in order.
func (a *AuthDelays) Counts() []int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.counts)
}

// Waits are the waits computed so far, in order.
func (a *AuthDelays) Waits() []time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.waits)
}

// DelayNotes are the summaries of the notes a wrong-password guard reported
// on hub's conversations (authdelay.Note), in order, once hub has settled.
func DelayNotes(hub *lab.Hub) []string {
	hub.Settle()
	var notes []string
	for _, ci := range hub.Conversations() {
		for _, e := range hub.ConvEvents(ci.ID) {
			if e.Kind == lab.KindMessage && strings.HasPrefix(e.Msg.Summary, "wrong password #") {
				notes = append(notes, e.Msg.Summary)
			}
		}
	}
	return notes
}
