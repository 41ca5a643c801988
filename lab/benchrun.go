package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"
)

// slot is one server's place on the bench. Its fields are guarded by Bench.mu.
type slot struct {
	srv  Server   // the running server; nil when none
	err  error    // why the last start failed
	busy *benchOp // the start or stop in progress; nil when none
}

// benchOp is a start or a stop in progress. Other calls for the same server wait
// on done, with no lock held.
type benchOp struct {
	stopping bool
	done     chan struct{} // closed when the start or stop has ended
	err      error         // its result; set before done is closed
}

// errNoReturn is what the calls waiting for a start or stop are told when the
// server's Start, Shutdown or Close panicked instead of returning.
var errNoReturn = errors.New("lab: the server's start or stop did not return")

// Stop's grace period: Shutdown waits this long for live sessions, then Close drops them.
const stopGrace = 2 * time.Second

// Start starts name's server. It returns a *ListenError that a person can read
// when the port is taken or not allowed. A server already running is left as it
// is; a start already in progress is waited for, and its result returned.
func (b *Bench) Start(name string) error {
	p := b.reg.Lookup(name)
	if p == nil {
		return fmt.Errorf("lab: no protocol called %q", name)
	}
	if p.NewServer == nil {
		return fmt.Errorf("lab: %s has no server", name)
	}
	b.mu.Lock()
	s := b.slots[name]
	if s == nil {
		s = &slot{}
		b.slots[name] = s
	}
	for s.busy != nil {
		op := s.busy
		b.wait(name, op)
		if !op.stopping {
			return op.err // joined the start in progress
		}
		b.mu.Lock()
	}
	if s.srv != nil {
		b.mu.Unlock()
		return nil
	}
	op := &benchOp{done: make(chan struct{})}
	s.busy = op
	opts := b.serverOptionsLocked(p)
	b.mu.Unlock()
	b.changed(name)

	var srv Server
	err := errNoReturn
	defer func() { b.end(name, s, op, srv, err) }()
	made, e := p.NewServer(opts)
	if e == nil {
		e = made.Start()
	}
	if e == nil {
		srv = made
	}
	err = e
	return err
}

// serverOptionsLocked returns the options p's server starts with. b.mu must be held.
func (b *Bench) serverOptionsLocked(p *Protocol) ServerOptions {
	port, ok := b.ports[p.Name]
	if !ok {
		port = p.DefaultPort
	}
	settings := make(map[string]string)
	for _, s := range p.Settings {
		settings[s.Key] = s.Default
	}
	for k, v := range b.settings[p.Name] {
		settings[k] = v
	}
	opts := ServerOptions{
		Addr:     net.JoinHostPort(b.listen, strconv.Itoa(port)),
		Settings: settings,
		Lab:      b,
	}
	if !b.noTap {
		opts.Tap = b.hub.Tap(p)
	}
	return opts
}

// wait releases b.mu, which must be held, and waits for op to end.
func (b *Bench) wait(name string, op *benchOp) {
	hook := b.waitHook
	b.mu.Unlock()
	if hook != nil {
		hook(name)
	}
	<-op.done
}

// end records how the start or stop op of name's server ended: srv is the
// server now running (nil: none), err op's result. It wakes the calls waiting
// for op and tells the OnChange callbacks.
func (b *Bench) end(name string, s *slot, op *benchOp, srv Server, err error) {
	b.mu.Lock()
	s.busy = nil
	s.srv = srv
	if !op.stopping {
		s.err = err
	}
	op.err = err
	close(op.done)
	b.mu.Unlock()
	b.changed(name)
}

// Stop stops name's server gracefully, closing it after a few seconds. A start
// in progress is waited for, and what it started is stopped; a stop in progress
// is waited for. It also forgets why the server last failed to start.
func (b *Bench) Stop(name string) error {
	b.mu.Lock()
	s := b.slots[name]
	for s != nil && s.busy != nil {
		b.wait(name, s.busy)
		b.mu.Lock()
	}
	if s == nil || s.srv == nil {
		if s != nil {
			s.err = nil
		}
		b.mu.Unlock()
		return nil
	}
	srv := s.srv
	s.srv, s.err = nil, nil
	op := &benchOp{stopping: true, done: make(chan struct{})}
	s.busy = op
	b.mu.Unlock()
	b.changed(name)

	err := errNoReturn
	defer func() { b.end(name, s, op, nil, err) }()
	ctx, cancel := context.WithTimeout(context.Background(), stopGrace)
	defer cancel()
	e := srv.Shutdown(ctx)
	if e != nil {
		e = srv.Close()
	}
	err = e
	return err
}

// StartAll starts the named servers (every registered server when names is empty)
// and returns the failures by name.
func (b *Bench) StartAll(names ...string) map[string]error {
	if len(names) == 0 {
		names = b.reg.Servers()
	}
	errs := make(map[string]error)
	for _, n := range names {
		if err := b.Start(n); err != nil {
			errs[n] = err
		}
	}
	return errs
}

// StopAll stops every server that runs, starts or stops, concurrently, and
// returns when they have stopped. A server started while StopAll runs may be
// left running.
func (b *Bench) StopAll() {
	b.mu.Lock()
	var names []string
	for n, s := range b.slots {
		if s.srv != nil || s.busy != nil {
			names = append(names, n)
		}
	}
	b.mu.Unlock()
	b.StopNames(names...)
}

// StopNames stops the named servers together and returns when they have all
// stopped (a server and its parts, lab.Registry.WithParts).
func (b *Bench) StopNames(names ...string) {
	var wg sync.WaitGroup
	for _, n := range names {
		wg.Add(1)
		go func() { defer wg.Done(); _ = b.Stop(n) }()
	}
	wg.Wait()
}
