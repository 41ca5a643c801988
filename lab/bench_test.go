package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"
)

// fakeLab makes fake servers that listen on a real socket and counts them, to
// tell whether the bench ever runs two servers of one name, or leaves one
// running or its listener open.
type fakeLab struct {
	mu      sync.Mutex
	made    []*fakeServer
	live    map[string]int // started and not yet closed, by name
	twice   map[string]int // by name: times two servers of it were live at once
	startIn chan string    // if set, a Start says it has begun here...
	startGo chan struct{}  // ...and waits for this before it binds
	stopIn  chan string    // the same for Shutdown
	stopGo  chan struct{}
	free    chan struct{} // closed: no more waiting at the gates
}

// gate waits at a gate (in, go) unless there is none or the gates are open.
func (f *fakeLab) gate(in chan string, goOn chan struct{}, name string) {
	if in == nil {
		return
	}
	select {
	case in <- name:
		select {
		case <-goOn:
		case <-f.free:
		}
	case <-f.free:
	}
}

func newFakeLab() *fakeLab { return &fakeLab{live: make(map[string]int), twice: make(map[string]int)} }

// registry returns a registry of one fake server per name.
func (f *fakeLab) registry(names ...string) *Registry {
	reg := &Registry{}
	for _, n := range names {
		reg.Register(&Protocol{Name: n, Transport: "tcp", NewServer: func(o ServerOptions) (Server, error) {
			s := &fakeServer{lab: f, name: n, addr: o.Addr, done: make(chan struct{})}
			f.mu.Lock()
			f.made = append(f.made, s)
			f.mu.Unlock()
			return s, nil
		}})
	}
	return reg
}

// check reports servers that ran twice at once or were left running or listening.
func (f *fakeLab) check(t *testing.T) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.twice) > 0 {
		t.Errorf("two servers of one name ran at once (times by name): %v", f.twice)
	}
	for n, live := range f.live {
		if live != 0 {
			t.Errorf("%d %s servers left running", live, n)
		}
	}
	for _, s := range f.made {
		if s.l == nil {
			continue // made and never started
		}
		select {
		case <-s.done: // its accept loop saw the listener closed
		default:
			t.Errorf("%s server on %s: listener left open", s.name, s.l.Addr())
		}
	}
}

// count returns how many servers were made and how many of them were closed.
func (f *fakeLab) count() (made, closed int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.made {
		made++
		if s.closed {
			closed++
		}
	}
	return made, closed
}

type fakeServer struct {
	lab    *fakeLab
	name   string
	addr   string
	l      net.Listener
	done   chan struct{} // closed when the accept loop ends
	once   sync.Once
	closed bool // guarded by lab.mu
}

func (s *fakeServer) Start() error {
	f := s.lab
	f.gate(f.startIn, f.startGo, s.name)
	l, err := net.Listen("tcp", s.addr)
	if err != nil {
		return err
	}
	s.l = l
	f.mu.Lock()
	f.live[s.name]++
	if f.live[s.name] > 1 {
		f.twice[s.name]++
	}
	f.mu.Unlock()
	go func() {
		defer close(s.done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return nil
}

func (s *fakeServer) Addr() net.Addr {
	if s.l == nil {
		return nil
	}
	return s.l.Addr()
}

func (s *fakeServer) Sessions() int { return 0 }

func (s *fakeServer) Close() error {
	s.once.Do(func() {
		s.l.Close()
		<-s.done
		f := s.lab
		f.mu.Lock()
		f.live[s.name]--
		s.closed = true
		f.mu.Unlock()
	})
	return nil
}

func (s *fakeServer) Shutdown(context.Context) error {
	s.lab.gate(s.lab.stopIn, s.lab.stopGo, s.name)
	return s.Close()
}

func fakeBench(f *fakeLab, names ...string) *Bench {
	reg := f.registry(names...)
	b := NewBench(NewHub(HubOptions{Registry: reg}), reg)
	for _, n := range names {
		b.SetPort(n, 0)
	}
	return b
}

// waitGoroutines waits, boundedly, for the goroutines to fall back to n.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestBenchConcurrent drives one bench from many goroutines at once, every
// operation on the same few names, and checks that no name ever ran two servers
// and that nothing is left running, listening or waiting.
func TestBenchConcurrent(t *testing.T) {
	before := runtime.NumGoroutine()
	f := newFakeLab()
	names := []string{"a", "b", "c"}
	b := fakeBench(f, names...)
	var mu sync.Mutex
	var errs []error
	fail := func(err error) {
		if err != nil {
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 150 {
				n := names[(g+i)%len(names)]
				switch (g + 3*i) % 6 {
				case 0, 1:
					fail(b.Start(n))
				case 2:
					fail(b.Stop(n))
				case 3:
					for n, err := range b.StartAll() {
						fail(fmt.Errorf("%s: %w", n, err))
					}
				case 4:
					b.StopAll()
				case 5:
					b.Status(n)
					b.Running()
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	if made, _ := f.count(); made < 2 {
		t.Fatalf("%d servers made, want many", made)
	}
	// Whatever the goroutines left running is one server per name at most.
	for _, n := range b.Running() {
		if st := b.Status(n); st.Addr == "" || st.Starting || st.Stopping {
			t.Errorf("%s: status %+v after every call returned", n, st)
		}
	}
	b.StopAll()
	if r := b.Running(); len(r) != 0 {
		t.Errorf("running after StopAll: %v", r)
	}
	f.check(t)
	made, closed := f.count()
	if made != closed {
		t.Errorf("%d servers made, %d closed", made, closed)
	}
	waitGoroutines(t, before)
}

// gated returns a bench whose fake servers wait in Start or Shutdown until the
// test lets them go, and a channel told when a call waits for another.
func gated(t *testing.T) (*Bench, *fakeLab, chan string) {
	f := newFakeLab()
	f.startIn, f.startGo = make(chan string), make(chan struct{})
	f.stopIn, f.stopGo = make(chan string), make(chan struct{})
	f.free = make(chan struct{})
	b := fakeBench(f, "a")
	waits := make(chan string, 8)
	b.waitHook = func(name string) { waits <- name }
	t.Cleanup(func() {
		close(f.free)
		b.StopAll()
	})
	return b, f, waits
}

// async runs f in a goroutine and returns its result on a channel.
func async(f func() error) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- f() }()
	return ch
}

func recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s within 10 s", what)
	}
	var zero T
	return zero
}

// ended waits for the call whose result ch gives, which must succeed.
func ended(t *testing.T, ch <-chan error, what string) {
	t.Helper()
	if err := recv(t, ch, what); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func TestBenchStartJoinsStart(t *testing.T) {
	b, f, waits := gated(t)
	first := async(func() error { return b.Start("a") })
	recv(t, f.startIn, "first start")
	if st := b.Status("a"); !st.Starting || st.Running {
		t.Errorf("status while starting = %+v, want Starting", st)
	}
	second := async(func() error { return b.Start("a") })
	recv(t, waits, "second start waiting")
	f.startGo <- struct{}{}
	ended(t, first, "first start's end")
	ended(t, second, "second start's end")
	if made, _ := f.count(); made != 1 {
		t.Errorf("%d servers made by two concurrent starts, want 1", made)
	}
	if st := b.Status("a"); !st.Running || st.Starting {
		t.Errorf("status after the start = %+v, want Running", st)
	}
}

func TestBenchStopDuringStart(t *testing.T) {
	b, f, waits := gated(t)
	start := async(func() error { return b.Start("a") })
	recv(t, f.startIn, "start")
	stop := async(func() error { return b.Stop("a") })
	recv(t, waits, "stop waiting")
	f.startGo <- struct{}{}
	ended(t, start, "start's end")
	recv(t, f.stopIn, "the started server's shutdown")
	if st := b.Status("a"); st.Running || !st.Stopping {
		t.Errorf("status while stopping = %+v, want Stopping", st)
	}
	f.stopGo <- struct{}{}
	ended(t, stop, "stop's end")
	if st := b.Status("a"); st.Running || st.Stopping {
		t.Errorf("status after the stop = %+v, want stopped", st)
	}
	f.check(t)
	if made, closed := f.count(); made != 1 || closed != 1 {
		t.Errorf("%d servers made, %d closed; want 1 and 1", made, closed)
	}
}

func TestBenchStartDuringStop(t *testing.T) {
	b, f, waits := gated(t)
	start := async(func() error { return b.Start("a") })
	recv(t, f.startIn, "start")
	f.startGo <- struct{}{}
	ended(t, start, "start's end")
	stop := async(func() error { return b.Stop("a") })
	recv(t, f.stopIn, "shutdown")
	restart := async(func() error { return b.Start("a") })
	recv(t, waits, "start waiting for the stop")
	f.stopGo <- struct{}{}
	ended(t, stop, "stop's end")
	recv(t, f.startIn, "the new server's start")
	f.startGo <- struct{}{}
	ended(t, restart, "restart's end")
	if made, closed := f.count(); made != 2 || closed != 1 {
		t.Errorf("%d servers made, %d closed; want 2 and 1", made, closed)
	}
	if !b.Status("a").Running {
		t.Error("not running after a start that followed a stop")
	}
}

func TestBenchStartFails(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	f := newFakeLab()
	b := fakeBench(f, "a")
	_, port, _ := net.SplitHostPort(l.Addr().String())
	var p int
	fmt.Sscan(port, &p)
	b.SetPort("a", p)
	err = b.Start("a")
	if err == nil {
		t.Fatal("Start on a port in use succeeded")
	}
	if st := b.Status("a"); st.Running || !errors.Is(st.Err, err) {
		t.Errorf("status = %+v, want not running with the start's error", st)
	}
	if err := b.Stop("a"); err != nil {
		t.Fatal(err)
	}
	if st := b.Status("a"); st.Err != nil {
		t.Errorf("Stop kept the failure: %+v", st)
	}
	if err := b.Start("nope"); err == nil {
		t.Error("Start of an unknown name succeeded")
	}
}
