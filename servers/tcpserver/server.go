// Package tcpserver is the lab's plain TCP server (RFC 9293): an echo service
// (RFC 862 over TCP) and a line-based chat in which every line a client sends goes
// to every connected client, the sender included.
//
// It has no framing of its own beyond chat's lines, so what a person watches in the
// lab is TCP itself: the three-way handshake, the byte stream, and the two ways a
// connection ends (FIN or RST). Telnet negotiation is not interpreted.
package tcpserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/conns"
)

// ErrServerClosed is returned by Serve and ListenAndServe after Close or Shutdown.
var ErrServerClosed = errors.New("tcpserver: server closed")

// The modes.
const (
	ModeEcho = "echo" // every byte received is sent back to its sender
	ModeChat = "chat" // every line received is sent to every connected client
)

// Defaults for the Options fields left zero.
const (
	DefaultMaxLineBytes  = 4096
	DefaultWriteTimeout  = 5 * time.Second
	DefaultMaxQueueBytes = 1 << 20
	DefaultMaxClients    = 10_000
)

// Options configures a Server. The zero value is an untapped echo server.
type Options struct {
	// Mode is ModeEcho or ModeChat. Empty means ModeEcho.
	Mode string
	// Tap, if non-nil, captures every accepted connection on the server side.
	// Nil captures nothing. Captured bytes include whatever clients type.
	Tap *lab.Tap
	// MaxLineBytes is chat's longest line, newline included. A client that sends a
	// longer line is told so and disconnected. Zero means DefaultMaxLineBytes.
	MaxLineBytes int
	// WriteTimeout bounds each write to one chat client. A client that does not read
	// for that long is dropped, so one stuck client never stalls the chat.
	// Zero means DefaultWriteTimeout.
	WriteTimeout time.Duration
	// MaxQueueBytes bounds the chat lines waiting to be written to one client; a
	// client that falls further behind is dropped. Zero means DefaultMaxQueueBytes.
	MaxQueueBytes int
	// MaxClients bounds the live connections; one more is told the server is full
	// and closed. Zero means DefaultMaxClients.
	MaxClients int
	// NotifyStarted, if non-nil, is called once Serve accepts connections.
	NotifyStarted func()
	// Logf, if non-nil, receives one line per notable event a person may want to
	// know about (a client dropped for being slow, a line too long). Nil is silent.
	Logf func(format string, args ...any)
}

// Server is a TCP echo or chat server with the net/http lifecycle: Serve a listener,
// then Close (now) or Shutdown (gracefully). Set Options before the first Serve and
// do not change them afterwards. Its methods are safe for concurrent use.
type Server struct {
	Options

	started lab.Started
	conns   conns.Set[*session]

	roomOnce sync.Once
	room     *room
}

// New returns a server with opts.
func New(opts Options) *Server { return &Server{Options: opts} }

// Started is closed once the server accepts connections; tests wait on it.
func (s *Server) Started() <-chan struct{} { return s.started.C() }

func (s *Server) mode() string {
	if s.Mode == "" {
		return ModeEcho
	}
	return s.Mode
}

func (s *Server) maxClients() int {
	if s.MaxClients > 0 {
		return s.MaxClients
	}
	return DefaultMaxClients
}

func (s *Server) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
	}
}

// ListenAndServe listens on the TCP address addr ("127.0.0.1:0" picks a port) and
// serves. A failed bind is a *lab.ListenError that a person can read.
func (s *Server) ListenAndServe(addr string) error {
	if s.conns.Closing() {
		return ErrServerClosed
	}
	l, err := lab.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// Serve accepts connections on l, tapped with Options.Tap, and serves each in its
// own goroutine. It always returns a non-nil error; after Close or Shutdown,
// ErrServerClosed. Serve closes l when it returns.
func (s *Server) Serve(l net.Listener) error {
	switch s.mode() {
	case ModeEcho, ModeChat:
	default:
		l.Close()
		return fmt.Errorf("tcpserver: unknown mode %q: choose %q or %q", s.Mode, ModeEcho, ModeChat)
	}
	s.roomOnce.Do(func() { s.room = newRoom(s) })
	retry := func(err error, wait time.Duration) {
		// Out of file descriptors or a similar passing trouble.
		s.logf("tcpserver: accept: %v; retrying in %v", err, wait)
	}
	err := s.conns.Serve(s.Tap.Listener(l), retry, func() { s.started.Fire(s.NotifyStarted) }, s.startSession)
	switch {
	case errors.Is(err, conns.ErrClosed):
		return ErrServerClosed
	case err != nil:
		return fmt.Errorf("tcpserver: accept: %w", err)
	}
	return nil
}

// startSession registers c and serves it, or turns it away when the server is full.
func (s *Server) startSession(c net.Conn) {
	ss := &session{srv: s, conn: c}
	switch err := s.conns.Track(ss, s.maxClients()); {
	case errors.Is(err, conns.ErrFull):
		s.logf("tcpserver: turned away %v: %d clients already connected", c.RemoteAddr(), s.maxClients())
		go func() {
			c.SetWriteDeadline(time.Now().Add(time.Second))
			fmt.Fprintf(c, "tcpserver: the server is full (%d clients); try again later\r\n", s.maxClients())
			c.Close()
		}()
		return
	case err != nil:
		c.Close()
		return
	}
	go func() {
		defer s.conns.Untrack(ss)
		defer ss.close()
		if s.mode() == ModeChat {
			s.room.serve(ss)
		} else {
			ss.echo()
		}
	}()
}

// Addr returns the address of the first listener Serve was given (nil before).
func (s *Server) Addr() net.Addr { return s.conns.Addr() }

// Sessions returns the number of live connections.
func (s *Server) Sessions() int { return s.conns.Count() }

// Close stops at once: it closes the listeners and every live connection.
func (s *Server) Close() error {
	err := s.conns.Close((*session).close)
	s.conns.Wait()
	return err
}

// Shutdown stops accepting and waits until every live connection has ended (its
// client closed it), or ctx is done, in which case it returns ctx's error and the
// connections stay open: call Close to drop them.
func (s *Server) Shutdown(ctx context.Context) error { return s.conns.Shutdown(ctx, nil) }
