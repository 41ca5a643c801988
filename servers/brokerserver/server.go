package brokerserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/conns"
)

// ErrServerClosed is returned by Serve after Close or Shutdown.
var ErrServerClosed = errors.New("brokerserver: server closed")

// The protocols a Server's listener speaks.
const (
	NATS = "nats" // the NATS client protocol
	MQTT = "mqtt" // MQTT 3.1.1; over TLS when Options.TLS is set
)

// Defaults for the Options fields left zero.
const (
	DefaultMaxClients       = 1000
	DefaultHandshakeTimeout = 10 * time.Second
)

// Options configures a Server. Broker and Protocol are required.
type Options struct {
	// Broker serves the connections the Server accepts.
	Broker *Broker
	// Protocol is NATS or MQTT.
	Protocol string
	// TLS, if set, makes the listener MQTT over TLS: the Server does the
	// handshake and the broker reads the plaintext. Set its KeyLogWriter (or use
	// the lab's servers/internal/labtls.WithKeyLog) for the lab to decrypt.
	TLS *tls.Config
	// Tap, if non-nil, captures every accepted connection from its first byte.
	Tap *lab.Tap
	// MaxClients bounds the live connections; one more is closed at once.
	// Zero means DefaultMaxClients.
	MaxClients int
	// HandshakeTimeout bounds a TLS handshake. Zero means DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration
	// NotifyStarted, if non-nil, is called once Serve accepts connections.
	NotifyStarted func()
}

// Server is one of the broker's listeners with the net/http lifecycle: Serve a
// listener, then Close (now) or Shutdown (gracefully). It accepts connections,
// taps them and hands each to its Broker. Its methods are safe for concurrent use.
type Server struct {
	Options

	serve   func(net.Conn) error
	started lab.Started
	conns   conns.Set[net.Conn]
}

// New returns a Server with opts, or an error for a missing broker or an
// unknown protocol.
func New(opts Options) (*Server, error) {
	if opts.Broker == nil {
		return nil, errors.New("brokerserver: no broker to serve")
	}
	s := &Server{Options: opts}
	switch opts.Protocol {
	case NATS:
		if opts.TLS != nil {
			return nil, errors.New("brokerserver: the lab's NATS listener has no TLS")
		}
		s.serve = opts.Broker.ServeNATS
	case MQTT:
		s.serve = opts.Broker.ServeMQTT
	default:
		return nil, fmt.Errorf("brokerserver: unknown protocol %q: choose %q or %q", opts.Protocol, NATS, MQTT)
	}
	return s, nil
}

// Started is closed once the server accepts connections; tests wait on it.
func (s *Server) Started() <-chan struct{} { return s.started.C() }

// Serve accepts connections on l, tapped with Options.Tap, and hands each to
// the broker in its own goroutine. It always returns a non-nil error; after
// Close or Shutdown, ErrServerClosed. Serve closes l when it returns.
func (s *Server) Serve(l net.Listener) error {
	limit := s.MaxClients
	if limit <= 0 {
		limit = DefaultMaxClients
	}
	err := s.conns.Serve(s.Tap.Listener(l), nil, func() { s.started.Fire(s.NotifyStarted) }, func(c net.Conn) {
		if s.conns.Track(c, limit) != nil {
			c.Close()
			return
		}
		go func() {
			defer s.conns.Untrack(c)
			s.handle(c)
		}()
	})
	switch {
	case errors.Is(err, conns.ErrClosed):
		return ErrServerClosed
	case err != nil:
		return fmt.Errorf("brokerserver: accept: %w", err)
	}
	return nil
}

// handle serves one tapped connection: the TLS handshake first, for MQTT over
// TLS, then the broker.
func (s *Server) handle(c net.Conn) {
	if s.TLS != nil {
		timeout := s.HandshakeTimeout
		if timeout <= 0 {
			timeout = DefaultHandshakeTimeout
		}
		tc := tls.Server(c, s.TLS)
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		err := tc.HandshakeContext(ctx)
		cancel()
		if err != nil {
			c.Close()
			return
		}
		c = tc
	}
	s.serve(c)
}

// Addr returns the address of the first listener Serve was given (nil before).
func (s *Server) Addr() net.Addr { return s.conns.Addr() }

// Sessions returns the number of live connections.
func (s *Server) Sessions() int { return s.conns.Count() }

// Close stops at once: it closes the listeners and every live connection.
func (s *Server) Close() error {
	err := s.conns.Close(func(c net.Conn) { c.Close() })
	s.conns.Wait()
	return err
}

// Shutdown stops accepting and waits until every live connection has ended, or
// ctx is done, in which case it returns ctx's error. The broker's clients stay
// connected until they leave: Close drops them.
func (s *Server) Shutdown(ctx context.Context) error { return s.conns.Shutdown(ctx, nil) }
