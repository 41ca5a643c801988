package lab

import "sync"

// Bench is the set of embedded servers a person (or `protolab serve`) switches on
// and off: which run, on which address, with which settings. The desktop app and the
// headless command both drive servers only through a Bench.
//
// A Bench is safe for concurrent use. Each server has at most one start or stop
// in progress, and the bench makes at most one server of a name at a time: a
// Start while that server is starting waits for the start and returns its result;
// a Stop while it is starting waits for the start, then stops what it started; a
// Start while it is stopping waits for the stop, then starts it anew. StartAll
// and StopAll are made of these, so any mix of them ends with each server either
// running once or stopped, its listener closed. The waits hold no lock (see the
// package's doc for the locks), so a server being started (it is given the
// bench, ServerOptions.Lab) may ask the bench about the lab's other servers. It
// must not Start or Stop itself, nor start another whose start starts it: that
// would wait for itself. What a server needs running beside it is declared
// (Protocol.Needs) and started by the caller (Registry.WithNeeds).
type Bench struct {
	hub *Hub
	reg *Registry

	// mu guards the fields below. It is never held while a Server's method or
	// an OnChange callback runs; under it only the Registry's lock is taken.
	mu       sync.Mutex
	listen   string
	noTap    bool // SetCapture(false): servers start untapped
	ports    map[string]int
	settings map[string]map[string]string
	slots    map[string]*slot // by protocol name; made on a server's first start
	onChange []func(name string)

	// waitHook, if set (by tests), is called before a Start or Stop of name
	// waits for the start or stop in progress.
	waitHook func(name string)
}

// SetCapture says whether servers started from now on are tapped into the
// hub (true, the default) or serve without capture: nothing they carry is
// seen, analysed or kept, for people who want only the servers.
func (b *Bench) SetCapture(on bool) {
	b.mu.Lock()
	b.noTap = !on
	b.mu.Unlock()
}

// Capture reports whether servers started from now on are tapped (SetCapture).
func (b *Bench) Capture() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return !b.noTap
}

// NewBench returns a bench whose servers listen on 127.0.0.1 and are tapped into hub.
func NewBench(hub *Hub, reg *Registry) *Bench {
	return &Bench{
		hub:      hub,
		reg:      reg,
		listen:   "127.0.0.1",
		ports:    make(map[string]int),
		settings: make(map[string]map[string]string),
		slots:    make(map[string]*slot),
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

// OnChange registers f to be called (from any goroutine, with no lock held) when
// a server begins or ends a start or a stop, fails, or its configuration
// changes; name "" means the whole bench.
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

// ServerStatus is what the server rail shows for one protocol.
type ServerStatus struct {
	Running  bool
	Addr     string // bound address while running
	Sessions int
	Err      error // why the last start failed
	Starting bool  // a start is in progress (Running says whether one ran before it: never)
	Stopping bool  // a stop is in progress (Running is false from the stop's beginning)
}

// Status returns name's server status.
func (b *Bench) Status(name string) ServerStatus {
	var st ServerStatus
	b.mu.Lock()
	s := b.slots[name]
	var srv Server
	if s != nil {
		srv, st.Err = s.srv, s.err
		if op := s.busy; op != nil {
			st.Starting, st.Stopping = !op.stopping, op.stopping
		}
	}
	b.mu.Unlock()
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

// Running returns the names of the running servers, in registry order.
func (b *Bench) Running() []string {
	all := b.reg.All()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, p := range all {
		if s := b.slots[p.Name]; s != nil && s.srv != nil {
			out = append(out, p.Name)
		}
	}
	return out
}
