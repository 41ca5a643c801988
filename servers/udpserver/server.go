// Package udpserver is the lab's UDP echo server (RFC 768, echo as in RFC 862): every
// datagram received is sent back to its sender, unchanged.
//
// UDP has no connections, so a "session" here is a peer address heard from within a
// window of time, like the lab's UDP flows.
package udpserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/conns"
)

// ErrServerClosed is returned by Serve and ListenAndServe after Close or Shutdown.
var ErrServerClosed = errors.New("udpserver: server closed")

// DefaultPeerWindow is how long a silent peer still counts as a session when
// neither Options.PeerWindow nor the tap's hub says otherwise.
const DefaultPeerWindow = lab.DefaultFlowIdle

// Options configures a Server. The zero value is an untapped echo server.
type Options struct {
	// Tap, if non-nil, captures every datagram on the server side, one flow per peer.
	// Nil captures nothing.
	Tap *lab.Tap
	// PeerWindow is how long a peer counts as a session after its last datagram.
	// Zero means the tap's hub's FlowIdle, or DefaultPeerWindow without a tap.
	PeerWindow time.Duration
	// NotifyStarted, if non-nil, is called once Serve reads datagrams.
	NotifyStarted func()
}

// Server is a UDP echo server with the net/http lifecycle. Set Options before the
// first Serve and do not change them afterwards. Its methods are safe for
// concurrent use.
type Server struct {
	Options

	mu      sync.Mutex
	conns   map[*net.PacketConn]struct{}
	peers   conns.Recent // the peers heard from lately
	addr    net.Addr
	started lab.Started
	closing atomic.Bool
	serving sync.WaitGroup
}

// New returns a server with opts.
func New(opts Options) *Server { return &Server{Options: opts} }

func (s *Server) initLocked() {
	if s.conns == nil {
		s.conns = make(map[*net.PacketConn]struct{})
	}
}

// Started is closed once the server reads datagrams; tests wait on it.
func (s *Server) Started() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.initLocked()
	return s.started.C()
}

func (s *Server) window() time.Duration {
	if s.PeerWindow > 0 {
		return s.PeerWindow
	}
	if h := s.Tap.Hub(); h != nil {
		return h.Options().FlowIdle
	}
	return DefaultPeerWindow
}

// ListenAndServe listens on the UDP address addr ("127.0.0.1:0" picks a port) and
// serves. A failed bind is a *lab.ListenError that a person can read.
func (s *Server) ListenAndServe(addr string) error {
	if s.closing.Load() {
		return ErrServerClosed
	}
	pc, err := lab.ListenPacket("udp", addr)
	if err != nil {
		return err
	}
	return s.Serve(pc)
}

// Serve echoes the datagrams arriving on pc, tapped with Options.Tap. It always
// returns a non-nil error; after Close or Shutdown, ErrServerClosed. Serve closes
// pc when it returns.
func (s *Server) Serve(pc net.PacketConn) error {
	pc = s.Tap.PacketConn(pc, lab.SideServer)
	s.mu.Lock()
	s.initLocked()
	if s.closing.Load() {
		s.mu.Unlock()
		pc.Close()
		return ErrServerClosed
	}
	s.conns[&pc] = struct{}{}
	s.serving.Add(1)
	if s.addr == nil {
		s.addr = pc.LocalAddr()
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, &pc)
		s.mu.Unlock()
		pc.Close()
		s.serving.Done()
	}()
	s.started.Fire(s.NotifyStarted)

	buf := make([]byte, 64<<10)
	for {
		n, peer, err := pc.ReadFrom(buf)
		if err != nil {
			if s.closing.Load() {
				return ErrServerClosed
			}
			if errors.Is(err, net.ErrClosed) {
				return fmt.Errorf("udpserver: %w", err)
			}
			// An ICMP error from an earlier reply, or a datagram too big for the
			// buffer: neither stops the service.
			continue
		}
		s.heard(peer)
		// A failed reply (the peer vanished) is the peer's trouble, not the server's;
		// the tap records it.
		pc.WriteTo(buf[:n], peer)
	}
}

// heard notes a datagram from peer.
func (s *Server) heard(peer net.Addr) { s.peers.Heard(peer.String(), time.Now(), s.window()) }

// Addr returns the address of the first socket Serve was given (nil before).
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Sessions returns the number of peers heard from within the peer window.
func (s *Server) Sessions() int { return s.peers.Count(time.Now(), s.window()) }

// Close stops at once: it closes the sockets and waits for Serve to return.
func (s *Server) Close() error {
	s.closing.Store(true)
	s.mu.Lock()
	s.initLocked()
	var err error
	for pc := range s.conns {
		if cerr := (*pc).Close(); cerr != nil && !errors.Is(cerr, net.ErrClosed) && err == nil {
			err = cerr
		}
	}
	s.mu.Unlock()
	s.serving.Wait()
	return err
}

// Shutdown stops the server. UDP has no connections to finish: an echo is sent as
// soon as its datagram is read, so Shutdown closes the sockets like Close, waiting
// for Serve to return or ctx to be done.
func (s *Server) Shutdown(ctx context.Context) error {
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
