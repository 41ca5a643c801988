// Package dnsserver is the lab's resolver: an authoritative DNS server (RFC 1034,
// RFC 1035) for the names of its zone only, lab.test and its mail domains by
// default. It answers over UDP and TCP on the same port and never asks another
// server: a name outside the zone gets NXDOMAIN. It speaks EDNS(0) (RFC 6891) alike
// over both transports: a query with an OPT record gets one back, advertising UDPSize.
//
// It serves with miekg/dns, which reads a generic net.PacketConn, so the lab's
// tapped UDP socket is served as it is. Left out: recursion, zone transfers (REFUSED),
// dynamic updates and NOTIFY (NOTIMP), wildcards, DNSSEC.
package dnsserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	mdns "github.com/miekg/dns"

	"github.com/protocollab/protolab/lab"
	labdns "github.com/protocollab/protolab/protocols/dns"
	"github.com/protocollab/protolab/servers/internal/conns"
)

// ErrServerClosed is returned by the Serve methods and ListenAndServe after Close or Shutdown.
var ErrServerClosed = errors.New("dnsserver: server closed")

// Options configures a Server. The zero value serves the lab's default zone, untapped.
type Options struct {
	// Tap, if non-nil, captures the UDP socket's datagrams (one flow per client) and
	// the TCP connections.
	// Nil captures nothing.
	Tap *lab.Tap
	// Zone is what the server answers from. Nil means labdns.DefaultZone.
	Zone *Zone
	// PeerWindow is how long a UDP client counts as a session after its last query.
	// Zero means the tap's hub's FlowIdle, or lab.DefaultFlowIdle without a tap.
	PeerWindow time.Duration
	// NotifyStarted, if non-nil, is called once the server serves its first socket.
	NotifyStarted func()
}

// Server is the lab's DNS server with the net/http lifecycle. Set Options before the
// first Serve and do not change them afterwards. Its methods are safe for concurrent use.
type Server struct {
	Options

	mu      sync.Mutex
	zone    *Zone
	running map[*mdns.Server]func() error // each serving socket and how to close it
	peers   conns.Recent                  // the UDP clients heard from lately
	asking  map[string]int                // UDP queries being answered, by client address
	tcpLive atomic.Int64
	addr    net.Addr
	started lab.Started
	closing atomic.Bool
	serving sync.WaitGroup
}

// New returns a server with opts.
func New(opts Options) *Server { return &Server{Options: opts} }

func (s *Server) initLocked() error {
	if s.running == nil {
		s.running = make(map[*mdns.Server]func() error)
		s.asking = make(map[string]int)
	}
	if s.zone == nil {
		s.zone = s.Zone
		if s.zone == nil {
			z, err := ParseZone(labdns.DefaultZone, "")
			if err != nil {
				return err
			}
			s.zone = z
		}
	}
	return nil
}

// Started is closed once the server serves its first socket; tests wait on it.
func (s *Server) Started() <-chan struct{} { return s.started.C() }

// ListenAndServe listens on addr ("127.0.0.1:0" picks a port) over UDP and, on the
// same port, TCP, and serves both until one fails or the server is closed. A failed
// bind is a *lab.ListenError that a person can read.
func (s *Server) ListenAndServe(addr string) error {
	if s.closing.Load() {
		return ErrServerClosed
	}
	pc, l, err := Listen(addr)
	if err != nil {
		return err
	}
	errc := make(chan error, 2)
	go func() { errc <- s.ServeUDP(pc) }()
	go func() { errc <- s.Serve(l) }()
	err = <-errc
	if !errors.Is(err, ErrServerClosed) {
		s.Close()
	}
	<-errc
	return err
}

// Listen opens the UDP socket and the TCP listener on the same address. With port 0
// the TCP listener takes the port the system chose for UDP; should another program
// hold that port over TCP, Listen tries other free ports a few times.
func Listen(addr string) (net.PacketConn, net.Listener, error) {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, &lab.ListenError{Protocol: "dns", Addr: addr, Err: err}
	}
	for try := 0; ; try++ {
		pc, err := lab.ListenPacket("dns", addr)
		if err != nil {
			return nil, nil, err
		}
		l, err := lab.Listen("dns", pc.LocalAddr().String())
		if err == nil {
			return pc, l, nil
		}
		pc.Close()
		if port != "0" || try == 20 || !errors.Is(err, lab.ErrPortInUse) {
			return nil, nil, err
		}
	}
}

// ServeUDP answers the queries arriving on pc, tapped with Options.Tap. It always
// returns a non-nil error; after Close or Shutdown, ErrServerClosed. It closes pc.
func (s *Server) ServeUDP(pc net.PacketConn) error {
	pc = s.Tap.PacketConn(pc, lab.SideServer)
	// A query over UDP is a whole exchange: once a client's queries are all
	// answered (a resolver's A and AAAA go out together), its flow ends, and
	// the next from it is a conversation of its own, rather than the flow
	// staying live for the hub's idle window. Resolvers ask from a new port
	// each time: without this, every query would be a conversation held live.
	asked := func(w mdns.ResponseWriter) {
		s.mu.Lock()
		s.asking[w.RemoteAddr().String()]++
		s.mu.Unlock()
	}
	answered := func(w mdns.ResponseWriter) {
		k := w.RemoteAddr().String()
		s.mu.Lock()
		s.asking[k]--
		last := s.asking[k] <= 0
		if last {
			delete(s.asking, k)
		}
		s.mu.Unlock()
		if last {
			lab.EndFlow(pc, w.RemoteAddr(), "its queries were answered")
		}
	}
	return s.serve(&mdns.Server{PacketConn: pc, Net: "udp", UDPSize: UDPSize}, pc.LocalAddr(), pc.Close, asked, answered)
}

// Serve answers DNS over TCP on the connections l accepts, tapped with
// Options.Tap. It always returns a non-nil error;
// after Close or Shutdown, ErrServerClosed. It closes l.
func (s *Server) Serve(l net.Listener) error {
	l = s.Tap.Listener(l)
	l = &countingListener{Listener: l, live: &s.tcpLive}
	return s.serve(&mdns.Server{Listener: l, Net: "tcp"}, l.Addr(), l.Close, nil, nil)
}

// serve runs srv; asked and answered, if not nil, are called before each
// query is answered and after its answer is sent.
func (s *Server) serve(srv *mdns.Server, addr net.Addr, closeSock func() error, asked, answered func(mdns.ResponseWriter)) error {
	s.mu.Lock()
	if err := s.initLocked(); err != nil {
		s.mu.Unlock()
		closeSock()
		return err
	}
	if s.closing.Load() {
		s.mu.Unlock()
		closeSock()
		return ErrServerClosed
	}
	zone := s.zone
	srv.Handler = mdns.HandlerFunc(func(w mdns.ResponseWriter, req *mdns.Msg) {
		if asked != nil {
			asked(w)
			defer answered(w)
		}
		s.answer(zone, w, req)
	})
	srv.NotifyStartedFunc = func() { s.started.Fire(s.NotifyStarted) }
	s.running[srv] = closeSock
	s.serving.Add(1)
	if s.addr == nil {
		s.addr = addr
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.running, srv)
		s.mu.Unlock()
		closeSock()
		s.serving.Done()
	}()
	err := srv.ActivateAndServe()
	if s.closing.Load() {
		return ErrServerClosed
	}
	if err == nil {
		err = net.ErrClosed
	}
	return fmt.Errorf("dnsserver: %w", err)
}

// answer replies to one query from the zone, with the same EDNS part over UDP and
// TCP; over UDP, an answer too big for the client's buffer (udpReplySize) is cut and
// marked TC, so the client asks again over TCP.
func (s *Server) answer(zone *Zone, w mdns.ResponseWriter, req *mdns.Msg) {
	r := zone.Answer(req)
	if w.LocalAddr().Network() == "udp" {
		s.heard(w.RemoteAddr())
		r.Truncate(udpReplySize(req))
	}
	// A failed reply (the client vanished) is the client's trouble; the tap records it.
	w.WriteMsg(r)
}

// heard notes a UDP query from peer.
func (s *Server) heard(peer net.Addr) { s.peers.Heard(peer.String(), time.Now(), s.window()) }

func (s *Server) window() time.Duration {
	if s.PeerWindow > 0 {
		return s.PeerWindow
	}
	if h := s.Tap.Hub(); h != nil {
		return h.Options().FlowIdle
	}
	return lab.DefaultFlowIdle
}

// Addr returns the address of the first socket served (nil before).
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Sessions returns the open TCP connections plus the UDP clients heard from within
// the peer window.
func (s *Server) Sessions() int {
	return int(s.tcpLive.Load()) + s.peers.Count(time.Now(), s.window())
}

// Close stops at once: it closes the sockets, drops TCP connections and waits for
// the Serve methods to return.
func (s *Server) Close() error {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s.stop(ctx)
	s.serving.Wait()
	return nil
}

// Shutdown stops accepting, lets queries being answered finish, and waits for the
// Serve methods to return or ctx to be done. Idle TCP connections are closed.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stop(ctx)
	done := make(chan struct{})
	go func() { s.serving.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// stop shuts every running socket down and closes it.
func (s *Server) stop(ctx context.Context) {
	s.closing.Store(true)
	s.mu.Lock()
	running := make(map[*mdns.Server]func() error, len(s.running))
	for srv, c := range s.running {
		running[srv] = c
	}
	s.mu.Unlock()
	var wg sync.WaitGroup
	for srv, closeSock := range running {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// "not started" when Serve has not reached miekg's loop yet: closing the
			// socket then ends that loop as soon as it starts.
			srv.ShutdownContext(ctx)
			closeSock()
		}()
	}
	wg.Wait()
}

// countingListener counts the live connections it accepted.
type countingListener struct {
	net.Listener
	live *atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.live.Add(1)
	return &countedConn{Conn: c, live: l.live}, nil
}

type countedConn struct {
	net.Conn
	live *atomic.Int64
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.live.Add(-1) })
	return c.Conn.Close()
}
