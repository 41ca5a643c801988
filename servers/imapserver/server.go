// Package imapserver is the lab's IMAP server: go-imap v2's imapserver (RFC 9051
// IMAP4rev2 and RFC 3501 IMAP4rev1, with IDLE, MOVE, UIDPLUS, NAMESPACE,
// UNSELECT, LITERAL+ and SPECIAL-USE) over a backend of the lab's own, a Session
// on the shared mail store (servers/mailstore). The SMTP server delivers into the
// same store and the POP3 server reads and deletes from it, so a message that
// arrives by SMTP shows here at once and one deleted through POP3 is gone here too.
//
// A login ("alice@alpha.test", or just "alice") is tried against each of
// Options.Stores, one per mail domain. Each session keeps its own view of the
// selected mailbox (sequence numbers, flags it has reported), and before each
// command's completion, and all through IDLE, it compares that view with the
// store and reports what changed: new mail as EXISTS, other sessions' flag
// changes as FETCH, removals as EXPUNGE (RFC 9051 §5.2, §7.4, §7.5). IDLE waits on
// the store's Watch, so a second client sees new mail and flags the moment they
// change.
//
// With Options.TLS the server offers STARTTLS; LOGIN and AUTHENTICATE are then
// refused before it (LOGINDISABLED, [PRIVACYREQUIRED]) unless
// Options.AllowPlainBeforeTLS is set. Wrong passwords are answered after a delay
// that doubles with each failure in a row from the same address.
//
// Left out: the \Recent flag (IMAP4rev2 dropped it) is not shown, subscriptions
// are not kept (every mailbox counts as subscribed), and SEARCH's BODY and TEXT
// match the raw bytes of a message (case-insensitively), not its decoded MIME
// parts.
//
// A tapped server captures each connection with Options.Tap: the captured bytes
// include the passwords clients send before STARTTLS, and with the tap's hub key
// log the lab decrypts those sent after it too.
package imapserver

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	goimapserver "github.com/emersion/go-imap/v2/imapserver"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/authdelay"
	"github.com/protocollab/protolab/servers/internal/labtls"
	"github.com/protocollab/protolab/servers/mailstore"
)

// ErrServerClosed is returned by Serve and ListenAndServe after Close or Shutdown.
var ErrServerClosed = errors.New("imapserver: server closed")

// Defaults for the zero values of Options.
const (
	DefaultMaxClients = 64
	// DefaultAppendLimit bounds a message uploaded with APPEND.
	DefaultAppendLimit = 25 << 20
)

// Options configures a Server. Stores is the only field it needs; the zero
// value of every other field has a documented meaning.
type Options struct {
	// Stores are the mail domains served, one Store each. The servers of a domain
	// must share its Store (mailstore.Default or Shared). Nil serves no one: every
	// login fails.
	Stores []*mailstore.Store
	// Tap, if non-nil, captures every connection on the server side. The captured
	// bytes include the passwords clients send.
	Tap *lab.Tap
	// TLS, if non-nil, offers STARTTLS with this configuration. A tapped server
	// writes the TLS secrets to the tap's hub key log. Nil offers no TLS.
	TLS *tls.Config
	// AllowPlainBeforeTLS lets LOGIN and AUTHENTICATE in before STARTTLS. False
	// (the default) refuses them until the connection is TLS and advertises
	// LOGINDISABLED. Without TLS (TLS nil) they are always allowed: there is no
	// STARTTLS to wait for.
	AllowPlainBeforeTLS bool
	// MaxClients bounds the connections served at once; more are greeted with
	// BYE and closed. Zero means DefaultMaxClients.
	MaxClients int
	// AppendLimit bounds the size of a message uploaded with APPEND (advertised
	// as APPENDLIMIT). Zero means DefaultAppendLimit.
	AppendLimit uint32
	// AuthDelay is the wait before answering a wrong password from an address:
	// it doubles with each further failure in a row, up to 8 s. Zero means the
	// lab's default, 250 ms; a negative value does not wait (tests).
	AuthDelay time.Duration
	// Log, if non-nil, receives a line for each failed login and each error of
	// the IMAP library. Nil discards them.
	Log *log.Logger
	// NotifyStarted, if non-nil, is called once Serve accepts connections.
	NotifyStarted func()
}

// Server is the lab's IMAP server with the net/http lifecycle: Serve a listener,
// then Close (now) or Shutdown (gracefully). Set Options before the first Serve
// and do not change them afterwards. Its methods are safe for concurrent use.
type Server struct {
	Options

	started lab.Started
	closing atomic.Bool
	done    chan struct{}   // closed by Close and Shutdown: wakes sessions waiting out an auth delay
	guard   authdelay.Guard // wrong passwords, by address

	init      sync.Once
	imap      *goimapserver.Server
	mu        sync.Mutex
	addr      net.Addr
	listeners map[net.Listener]struct{}
	sessions  map[*session]struct{}
}

// New returns a server with opts.
func New(opts Options) *Server {
	s := &Server{Options: opts, done: make(chan struct{})}
	s.guard.Base = opts.AuthDelay
	return s
}

// Started is closed once the server accepts connections; tests wait on it.
func (s *Server) Started() <-chan struct{} { return s.started.C() }

// Addr is the address of the first listener served, nil before Serve.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Sessions is the number of live connections.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// ListenAndServe listens on the TCP address addr ("127.0.0.1:0" picks a port) and
// serves. A failed bind is a *lab.ListenError that a person can read.
func (s *Server) ListenAndServe(addr string) error {
	if s.closing.Load() {
		return ErrServerClosed
	}
	l, err := lab.Listen("imap", addr)
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// Serve accepts connections on l, each tapped with Options.Tap, and serves IMAP
// on each. It always returns a non-nil error; after Close or Shutdown,
// ErrServerClosed. Serve closes l when it returns.
func (s *Server) Serve(l net.Listener) error {
	s.init.Do(s.setup)
	s.mu.Lock()
	if s.closing.Load() {
		s.mu.Unlock()
		l.Close()
		return ErrServerClosed
	}
	if s.listeners == nil {
		s.listeners = make(map[net.Listener]struct{})
	}
	s.listeners[l] = struct{}{}
	if s.addr == nil {
		s.addr = l.Addr()
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
		l.Close()
	}()
	s.started.Fire(s.NotifyStarted)
	err := s.imap.Serve(s.Tap.Listener(l))
	if s.closing.Load() {
		return ErrServerClosed
	}
	if err == nil {
		err = net.ErrClosed
	}
	return err
}

// setup makes the go-imap server on the first Serve.
func (s *Server) setup() {
	cfg := labtls.WithKeyLog(s.TLS, s.Tap)
	var logger goimapserver.Logger = log.New(io.Discard, "", 0)
	if s.Log != nil {
		logger = s.Log
	}
	s.imap = goimapserver.New(&goimapserver.Options{
		NewSession: s.newSession,
		Caps: imap.CapSet{
			imap.CapIMAP4rev1:   {},
			imap.CapIMAP4rev2:   {},
			imap.CapIdle:        {},
			imap.CapNamespace:   {},
			imap.CapUIDPlus:     {},
			imap.CapMove:        {},
			imap.CapLiteralPlus: {},
			imap.CapSpecialUse:  {},
			imap.CapChildren:    {},
		},
		Logger:       logger,
		TLSConfig:    cfg,
		InsecureAuth: cfg == nil || s.AllowPlainBeforeTLS,
	})
}

// newSession starts a session for a new connection, or turns it away.
func (s *Server) newSession(c *goimapserver.Conn) (goimapserver.Session, *goimapserver.GreetingData, error) {
	max := s.MaxClients
	if max <= 0 {
		max = DefaultMaxClients
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing.Load() {
		return nil, nil, &imap.Error{Type: imap.StatusResponseTypeBye, Text: "The server is shutting down"}
	}
	if len(s.sessions) >= max {
		return nil, nil, &imap.Error{Type: imap.StatusResponseTypeBye, Code: imap.ResponseCodeLimit, Text: "Too many connections; try again later"}
	}
	if s.sessions == nil {
		s.sessions = make(map[*session]struct{})
	}
	sess := &session{srv: s, conn: c}
	s.sessions[sess] = struct{}{}
	return sess, nil, nil
}

// ended forgets a session whose connection closed.
func (s *Server) ended(sess *session) {
	s.mu.Lock()
	delete(s.sessions, sess)
	s.mu.Unlock()
}

// stop marks the server closing and closes its listeners.
func (s *Server) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closing.Swap(true) {
		close(s.done)
	}
	for l := range s.listeners {
		l.Close()
	}
}

// Close stops the server at once: listeners and connections are closed.
func (s *Server) Close() error {
	s.stop()
	if s.imap != nil {
		s.imap.Close()
	}
	s.mu.Lock()
	var conns []*goimapserver.Conn
	for sess := range s.sessions {
		conns = append(conns, sess.conn)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.NetConn().Close()
	}
	return nil
}

// Shutdown stops accepting, tells every session BYE (IMAP clients otherwise stay
// connected for hours), and waits for the connections to end or ctx to expire,
// when it closes the rest.
func (s *Server) Shutdown(ctx context.Context) error {
	s.stop()
	s.mu.Lock()
	var conns []*goimapserver.Conn
	for sess := range s.sessions {
		conns = append(conns, sess.conn)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.Bye("The server is shutting down")
	}
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for s.Sessions() > 0 {
		select {
		case <-ctx.Done():
			s.Close()
			return ctx.Err()
		case <-t.C:
		}
	}
	return s.Close()
}
