package lab

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"
)

// Bench is the set of embedded servers a person (or `protolab serve`) switches on
// and off: which run, on which address, with which settings. The desktop app and the
// headless command both drive servers only through a Bench. Safe for concurrent use.
type Bench struct {
	hub *Hub
	reg *Registry

	mu       sync.Mutex
	listen   string
	ports    map[string]int
	settings map[string]map[string]string
	running  map[string]Server
	errs     map[string]error
	onChange []func(name string)
}

// NewBench returns a bench whose servers listen on 127.0.0.1 and are tapped into hub.
func NewBench(hub *Hub, reg *Registry) *Bench {
	return &Bench{
		hub:      hub,
		reg:      reg,
		listen:   "127.0.0.1",
		ports:    make(map[string]int),
		settings: make(map[string]map[string]string),
		running:  make(map[string]Server),
		errs:     make(map[string]error),
	}
}

// Hub returns the bench's hub.
func (b *Bench) Hub() *Hub { return b.hub }

// Registry returns the bench's protocols.
func (b *Bench) Registry() *Registry { return b.reg }

// Listen returns the host servers bind to ("127.0.0.1" unless changed).
func (b *Bench) Listen() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.listen
}

// SetListen changes the host servers bind to from their next start. Anything but a
// loopback address exposes the lab's servers to the network: an explicit choice.
func (b *Bench) SetListen(host string) {
	b.mu.Lock()
	b.listen = host
	b.mu.Unlock()
	b.changed("")
}

// Port returns the port name's server is configured to use (its default unless set).
func (b *Bench) Port(name string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if p, ok := b.ports[name]; ok {
		return p
	}
	if p := b.reg.Lookup(name); p != nil {
		return p.DefaultPort
	}
	return 0
}

// SetPort sets the port for name's server from its next start; 0 picks a free port.
func (b *Bench) SetPort(name string, port int) {
	b.mu.Lock()
	b.ports[name] = port
	b.mu.Unlock()
	b.changed(name)
}

// Setting returns one of name's server settings (its default unless set).
func (b *Bench) Setting(name, key string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if v, ok := b.settings[name][key]; ok {
		return v
	}
	if p := b.reg.Lookup(name); p != nil {
		for _, s := range p.Settings {
			if s.Key == key {
				return s.Default
			}
		}
	}
	return ""
}

// SetSetting changes one of name's server settings from its next start.
func (b *Bench) SetSetting(name, key, value string) {
	b.mu.Lock()
	if b.settings[name] == nil {
		b.settings[name] = make(map[string]string)
	}
	b.settings[name][key] = value
	b.mu.Unlock()
	b.changed(name)
}

// OnChange registers f to be called (from any goroutine) when a server starts, stops,
// fails, or its configuration changes; name "" means the whole bench.
func (b *Bench) OnChange(f func(name string)) {
	b.mu.Lock()
	b.onChange = append(b.onChange, f)
	b.mu.Unlock()
}

func (b *Bench) changed(name string) {
	b.mu.Lock()
	fs := append([]func(string){}, b.onChange...)
	b.mu.Unlock()
	for _, f := range fs {
		f(name)
	}
}

// Start starts name's server. It returns a *ListenError that a person can read
// when the port is taken or not allowed.
func (b *Bench) Start(name string) error {
	p := b.reg.Lookup(name)
	if p == nil {
		return fmt.Errorf("lab: no protocol called %q", name)
	}
	if p.NewServer == nil {
		return fmt.Errorf("lab: %s has no server", name)
	}
	b.mu.Lock()
	if b.running[name] != nil {
		b.mu.Unlock()
		return nil
	}
	port, ok := b.ports[name]
	if !ok {
		port = p.DefaultPort
	}
	settings := make(map[string]string)
	for _, s := range p.Settings {
		settings[s.Key] = s.Default
	}
	for k, v := range b.settings[name] {
		settings[k] = v
	}
	opts := ServerOptions{
		Addr:     net.JoinHostPort(b.listen, strconv.Itoa(port)),
		Tap:      b.hub.Tap(p),
		Settings: settings,
		Lab:      b,
	}
	b.mu.Unlock()

	srv, err := p.NewServer(opts)
	if err == nil {
		err = srv.Start()
	}
	b.mu.Lock()
	if err != nil {
		b.errs[name] = err
	} else {
		delete(b.errs, name)
		b.running[name] = srv
	}
	b.mu.Unlock()
	b.changed(name)
	return err
}

// Stop stops name's server gracefully, closing it after a few seconds.
func (b *Bench) Stop(name string) error {
	b.mu.Lock()
	srv := b.running[name]
	delete(b.running, name)
	delete(b.errs, name)
	b.mu.Unlock()
	if srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := srv.Shutdown(ctx)
	if err != nil {
		err = srv.Close()
	}
	b.changed(name)
	return err
}

// StartAll starts the named servers (every registered server when names is empty)
// and returns the failures by name.
func (b *Bench) StartAll(names ...string) map[string]error {
	if len(names) == 0 {
		for _, p := range b.reg.All() {
			if p.NewServer != nil {
				names = append(names, p.Name)
			}
		}
	}
	errs := make(map[string]error)
	for _, n := range names {
		if err := b.Start(n); err != nil {
			errs[n] = err
		}
	}
	return errs
}

// StopAll stops every running server, concurrently.
func (b *Bench) StopAll() {
	b.mu.Lock()
	names := make([]string, 0, len(b.running))
	for n := range b.running {
		names = append(names, n)
	}
	b.mu.Unlock()
	var wg sync.WaitGroup
	for _, n := range names {
		wg.Add(1)
		go func() { defer wg.Done(); _ = b.Stop(n) }()
	}
	wg.Wait()
}

// ServerStatus is what the server rail shows for one protocol.
type ServerStatus struct {
	Running  bool
	Addr     string // bound address while running
	Sessions int
	Err      error // why the last start failed
}

// Status returns name's server status.
func (b *Bench) Status(name string) ServerStatus {
	b.mu.Lock()
	srv, err := b.running[name], b.errs[name]
	b.mu.Unlock()
	st := ServerStatus{Err: err}
	if srv != nil {
		st.Running = true
		if a := srv.Addr(); a != nil {
			st.Addr = a.String()
		}
		st.Sessions = srv.Sessions()
	}
	return st
}

// Addr returns the address name's server is bound to while it runs, else "".
func (b *Bench) Addr(name string) string {
	if st := b.Status(name); st.Running {
		return st.Addr
	}
	return ""
}

// Running returns the names of the running servers.
func (b *Bench) Running() []string {
	var out []string
	for _, p := range b.reg.All() {
		b.mu.Lock()
		on := b.running[p.Name] != nil
		b.mu.Unlock()
		if on {
			out = append(out, p.Name)
		}
	}
	return out
}
