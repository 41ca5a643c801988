// Package conns keeps what a server with the net/http lifecycle tracks: the
// listeners it serves, the sessions it runs, and whether it is closing. The lab's
// own TCP servers (ftpserver, pop3server, tcpserver, sftpserver) share it, so
// they accept, turn away, close and shut down alike.
package conns

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Errors of Accept and Track.
var (
	// ErrClosed is returned once Close or Shutdown has begun.
	ErrClosed = errors.New("conns: closing")
	// ErrFull is returned by Track when the limit of sessions is reached.
	ErrFull = errors.New("conns: too many sessions")
)

// Set is the listeners and sessions of one server; S is the server's session
// type (a pointer, or a net.Conn). The zero value is an empty set, open.
//
// A Set is safe for concurrent use. Close and Shutdown call their function for
// each session with the set's lock held: it must not call back into the set
// (closing a connection, or setting a deadline, is fine).
type Set[S comparable] struct {
	closing atomic.Bool

	mu        sync.Mutex
	addr      net.Addr
	listeners map[*net.Listener]struct{} // by pointer: a listener's dynamic type need not be comparable
	sessions  map[S]struct{}
	drained   chan struct{} // closed when the last session ends during Shutdown
	done      chan struct{} // closed when Close or Shutdown begins; made on demand
	wg        sync.WaitGroup
}

// Closing reports whether Close or Shutdown has begun.
func (t *Set[S]) Closing() bool { return t.closing.Load() }

// Done is closed when Close or Shutdown begins: a session waiting for
// something other than its connection (the delay after a wrong password) ends
// its wait.
func (t *Set[S]) Done() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.doneLocked()
}

// doneLocked returns the Done channel, making it. t.mu must be held.
func (t *Set[S]) doneLocked() chan struct{} {
	if t.done == nil {
		t.done = make(chan struct{})
	}
	return t.done
}

// Listen adds *l to the set, and takes its address as the set's if it is the
// first. It returns false, and adds nothing, once the set is closing. The
// caller serves *l and, when done, calls Unlisten(l).
func (t *Set[S]) Listen(l *net.Listener) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closing.Load() {
		return false
	}
	if t.listeners == nil {
		t.listeners = make(map[*net.Listener]struct{})
	}
	t.listeners[l] = struct{}{}
	if t.addr == nil {
		t.addr = (*l).Addr()
	}
	return true
}

// Unlisten removes *l from the set and closes it.
func (t *Set[S]) Unlisten(l *net.Listener) {
	t.mu.Lock()
	delete(t.listeners, l)
	t.mu.Unlock()
	(*l).Close()
}

// Serve is a server's accept loop: it adds l to the set (refusing, with
// ErrClosed, once the set is closing), calls started once it accepts, and hands
// each connection to handle until the set closes (ErrClosed) or l fails for
// good (that error). retry is Accept's. l is closed when Serve returns.
func (t *Set[S]) Serve(l net.Listener, retry func(err error, wait time.Duration), started func(), handle func(net.Conn)) error {
	if !t.Listen(&l) {
		l.Close()
		return ErrClosed
	}
	defer t.Unlisten(&l)
	started()
	for {
		c, err := t.Accept(l, retry)
		if err != nil {
			return err
		}
		handle(c)
	}
}

// Accept waits for the next connection on l. While l fails for a passing reason
// (a timeout, too many open files) it waits and tries again, as net/http does,
// waiting twice as long each time (5ms up to 1s) and telling retry, if non-nil,
// of each wait. Once the set is closing it returns ErrClosed; any other error
// of l it returns as it is.
func (t *Set[S]) Accept(l net.Listener, retry func(err error, wait time.Duration)) (net.Conn, error) {
	var wait time.Duration
	for {
		c, err := l.Accept()
		if err == nil {
			return c, nil
		}
		if t.closing.Load() {
			return nil, ErrClosed
		}
		if !passing(err) {
			return nil, err
		}
		wait = min(max(2*wait, 5*time.Millisecond), time.Second)
		if retry != nil {
			retry(err, wait)
		}
		time.Sleep(wait)
	}
}

// passing reports whether an accept error may go away by itself.
func passing(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

// Track adds the session s, which the caller then serves and ends with
// Untrack(s). It returns ErrClosed once the set is closing, and ErrFull when
// limit sessions (if limit > 0) are already tracked; it adds nothing then.
func (t *Set[S]) Track(s S, limit int) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closing.Load() {
		return ErrClosed
	}
	if limit > 0 && len(t.sessions) >= limit {
		return ErrFull
	}
	if t.sessions == nil {
		t.sessions = make(map[S]struct{})
	}
	t.sessions[s] = struct{}{}
	t.wg.Add(1)
	return nil
}

// Untrack removes the session s, added by Track, once it has ended.
func (t *Set[S]) Untrack(s S) {
	t.mu.Lock()
	delete(t.sessions, s)
	if len(t.sessions) == 0 && t.drained != nil {
		close(t.drained)
		t.drained = nil
	}
	t.mu.Unlock()
	t.wg.Done()
}

// Addr is the address of the first listener added (nil before).
func (t *Set[S]) Addr() net.Addr {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.addr
}

// Count is the number of sessions tracked.
func (t *Set[S]) Count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.sessions)
}

// Close marks the set closing, closes its listeners and calls kill (if
// non-nil) for each session. It does not wait for the sessions to end (Wait
// does). It returns the first error of closing a listener.
func (t *Set[S]) Close(kill func(S)) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	err := t.stopLocked()
	if kill != nil {
		for s := range t.sessions {
			kill(s)
		}
	}
	return err
}

// Shutdown marks the set closing, closes its listeners, calls wake (if non-nil)
// for each session, and waits until every session is untracked. It returns
// ctx's error if ctx is done first, else the first error of closing a listener.
func (t *Set[S]) Shutdown(ctx context.Context, wake func(S)) error {
	t.mu.Lock()
	err := t.stopLocked()
	if wake != nil {
		for s := range t.sessions {
			wake(s)
		}
	}
	if len(t.sessions) == 0 {
		t.mu.Unlock()
		t.wg.Wait()
		return err
	}
	if t.drained == nil {
		t.drained = make(chan struct{})
	}
	drained := t.drained
	t.mu.Unlock()
	select {
	case <-drained:
		t.wg.Wait()
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Wait waits until every session is untracked.
func (t *Set[S]) Wait() { t.wg.Wait() }

// stopLocked marks the set closing and closes its listeners. t.mu must be held.
func (t *Set[S]) stopLocked() error {
	if !t.closing.Swap(true) {
		close(t.doneLocked())
	}
	var err error
	for l := range t.listeners {
		if cerr := (*l).Close(); cerr != nil && !errors.Is(cerr, net.ErrClosed) && err == nil {
			err = cerr
		}
	}
	return err
}
