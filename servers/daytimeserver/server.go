// Package daytimeserver is the lab's Daytime server (RFC 867): to every client
// that connects it sends the date and time as one line of text, then closes its
// side. It reads and throws away whatever the client sends until the client
// closes too (or a few seconds pass), so the connection ends with two FINs
// rather than a reset.
package daytimeserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/conns"
)

// ErrServerClosed is returned by Serve after Close or Shutdown.
var ErrServerClosed = errors.New("daytimeserver: server closed")

// The answer's formats.
const (
	// FormatRFC867 is the example RFC 867 gives: "Saturday, December 5, 2026 02:49:38-UTC".
	FormatRFC867 = "rfc867"
	// FormatRFC3339 is the Internet's date and time format: "2026-12-05T02:49:38Z".
	FormatRFC3339 = "rfc3339"
)

var layouts = map[string]string{
	FormatRFC867:  "Monday, January 2, 2006 15:04:05-MST",
	FormatRFC3339: time.RFC3339,
}

// Defaults for the Options fields left zero.
const (
	DefaultLinger     = 5 * time.Second
	DefaultMaxClients = 1000
)

// Options configures a Server. The zero value is an untapped server answering
// in FormatRFC867 with the local time.
type Options struct {
	// Format is FormatRFC867 or FormatRFC3339. Empty means FormatRFC867.
	Format string
	// Now tells the time. Nil means time.Now.
	Now func() time.Time
	// Tap, if non-nil, captures every accepted connection on the server side.
	Tap *lab.Tap
	// Linger bounds how long the server waits, after its answer, for the client
	// to close; then it closes anyway. Zero means DefaultLinger.
	Linger time.Duration
	// MaxClients bounds the live connections; one more is closed unanswered.
	// Zero means DefaultMaxClients.
	MaxClients int
	// NotifyStarted, if non-nil, is called once Serve accepts connections.
	NotifyStarted func()
}

// Server is a daytime server with the net/http lifecycle: Serve a listener, then
// Close (now) or Shutdown (gracefully). Set Options before the first Serve. Its
// methods are safe for concurrent use.
type Server struct {
	Options

	started lab.Started
	conns   conns.Set[net.Conn]
}

// New returns a server with opts, or an error for an unknown format.
func New(opts Options) (*Server, error) {
	if opts.Format == "" {
		opts.Format = FormatRFC867
	}
	if _, ok := layouts[opts.Format]; !ok {
		return nil, fmt.Errorf("daytimeserver: unknown format %q: choose %q or %q", opts.Format, FormatRFC867, FormatRFC3339)
	}
	return &Server{Options: opts}, nil
}

// Started is closed once the server accepts connections; tests wait on it.
func (s *Server) Started() <-chan struct{} { return s.started.C() }

// Answer is the line the server sends at t, line end included.
func (s *Server) Answer(t time.Time) string {
	return t.Format(layouts[s.Format]) + "\r\n"
}

// Serve accepts connections on l, tapped with Options.Tap, and answers each in
// its own goroutine. It always returns a non-nil error; after Close or
// Shutdown, ErrServerClosed. Serve closes l when it returns.
func (s *Server) Serve(l net.Listener) error {
	max := s.MaxClients
	if max <= 0 {
		max = DefaultMaxClients
	}
	err := s.conns.Serve(s.Tap.Listener(l), nil, func() { s.started.Fire(s.NotifyStarted) }, func(c net.Conn) {
		if s.conns.Track(c, max) != nil {
			c.Close()
			return
		}
		go func() {
			defer s.conns.Untrack(c)
			defer c.Close()
			s.answer(c)
		}()
	})
	switch {
	case errors.Is(err, conns.ErrClosed):
		return ErrServerClosed
	case err != nil:
		return fmt.Errorf("daytimeserver: accept: %w", err)
	}
	return nil
}

// answer sends the time, closes the server's side, and reads until the client
// closes or the linger time passes.
func (s *Server) answer(c net.Conn) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	linger := s.Linger
	if linger <= 0 {
		linger = DefaultLinger
	}
	c.SetDeadline(time.Now().Add(linger))
	if _, err := io.WriteString(c, s.Answer(now())); err != nil {
		return
	}
	if cw, ok := c.(interface{ CloseWrite() error }); ok && cw.CloseWrite() == nil {
		io.Copy(io.Discard, c) // thrown away (RFC 867), until the client's FIN
	}
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
// ctx is done, in which case it returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error { return s.conns.Shutdown(ctx, nil) }
