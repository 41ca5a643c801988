// Package pop3server is the lab's own POP3 server, written to RFC 1939 (POP3),
// RFC 2449 (CAPA, response codes), RFC 2595 (STLS) and RFC 3206 ([SYS/TEMP],
// [AUTH]), over the lab's shared mail store (servers/mailstore).
//
// A login ("alice@alpha.test", or just "alice") is tried against each of
// Options.Stores, one per mail domain. The maildrop is a snapshot of the user's
// INBOX taken at login; one session at a time may hold it (a second is refused
// with [IN-USE]). DELE only marks a message and RSET unmarks; the marked messages
// are expunged from the store at QUIT, in the UPDATE state, so a message deleted
// through POP3 is gone from IMAP too. A connection that ends without QUIT
// deletes nothing. RETR marks a message \Seen in the store.
//
// Before STLS, USER and PASS are refused with -ERR [AUTH] unless
// Options.AllowPlainBeforeTLS is set (RFC 2595 §2.2); APOP, which never sends the
// password, is always offered. Wrong passwords are answered after a delay that
// grows with each failure from the same address, and a session that fails too
// often is closed.
//
// Left out: SASL (AUTH) and the UTF8 and LANG extensions answer -ERR.
//
// A tapped server captures each connection with Options.Tap: the captured bytes
// include the passwords clients send before STLS, and with the tap's hub key log
// the lab decrypts those sent after it too.
package pop3server

import (
	"context"
	"crypto/tls"
	"errors"
	"log"
	"net"
	"sync"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/authdelay"
	"github.com/protocollab/protolab/servers/internal/conns"
	"github.com/protocollab/protolab/servers/internal/labtls"
	"github.com/protocollab/protolab/servers/mailstore"
)

// ErrServerClosed is returned by Serve and ListenAndServe after Close or Shutdown.
var ErrServerClosed = errors.New("pop3server: server closed")

// Defaults for the zero values of Options.
const (
	// DefaultIdleTimeout is RFC 1939 §3's least autologout timer.
	DefaultIdleTimeout = 10 * time.Minute
	DefaultMaxClients  = 64
	// DefaultMaxAuthFailures is how many failed logins a session may make before
	// the server closes it.
	DefaultMaxAuthFailures = 3
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
	// TLS, if non-nil, offers STLS (RFC 2595) with this configuration. A tapped
	// server writes the TLS secrets to the tap's hub key log. Nil offers no TLS.
	TLS *tls.Config
	// AllowPlainBeforeTLS lets USER and PASS log in before STLS. False (the
	// default) refuses them with -ERR [AUTH] until the connection is TLS, and
	// leaves USER out of CAPA. Without TLS (TLS nil) they are always allowed:
	// there is no STLS to wait for.
	AllowPlainBeforeTLS bool
	// MaxClients bounds the connections served at once; more are answered
	// "-ERR [SYS/TEMP]" and closed. Zero means DefaultMaxClients.
	MaxClients int
	// IdleTimeout closes a connection silent for this long, without entering the
	// UPDATE state. Zero means DefaultIdleTimeout.
	IdleTimeout time.Duration
	// AuthDelay is the wait before answering a wrong password from an address:
	// it doubles with each further failure in a row, up to 8 s. Zero means the
	// lab's default, 250 ms; a negative value does not wait (tests).
	AuthDelay time.Duration
	// MaxAuthFailures is how many failed logins one session may make; the next
	// failure closes it. Zero means DefaultMaxAuthFailures.
	MaxAuthFailures int
	// Banner is the greeting's text, before the APOP timestamp. Empty means
	// "Protocol Lab POP3 server ready".
	Banner string
	// Log, if non-nil, receives a line for each failed login and each failed
	// expunge. Nil discards them.
	Log *log.Logger
	// NotifyStarted, if non-nil, is called once Serve accepts connections.
	NotifyStarted func()
}

// Server is the lab's POP3 server with the net/http lifecycle: Serve a listener,
// then Close (now) or Shutdown (gracefully). Set Options before the first Serve
// and do not change them afterwards. Its methods are safe for concurrent use.
type Server struct {
	Options

	started lab.Started
	conns   conns.Set[*session]

	guard authdelay.Guard // wrong passwords, by address

	mu    sync.Mutex
	locks map[string]*session // maildrops in use, by address
}

// New returns a server with opts.
func New(opts Options) *Server {
	s := &Server{Options: opts}
	s.guard.Base = opts.AuthDelay
	return s
}

// Started is closed once the server accepts connections; tests wait on it.
func (s *Server) Started() <-chan struct{} { return s.started.C() }

// ListenAndServe listens on the TCP address addr ("127.0.0.1:0" picks a port) and
// serves. A failed bind is a *lab.ListenError that a person can read.
func (s *Server) ListenAndServe(addr string) error {
	if s.conns.Closing() {
		return ErrServerClosed
	}
	l, err := lab.Listen("pop3", addr)
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// Serve accepts connections on l, each tapped with Options.Tap, and serves POP3
// on each. It always returns a non-nil error; after Close or Shutdown,
// ErrServerClosed. Serve closes l when it returns.
func (s *Server) Serve(l net.Listener) error {
	err := s.conns.Serve(l, nil, func() { s.started.Fire(s.NotifyStarted) }, s.accept)
	if errors.Is(err, conns.ErrClosed) {
		return ErrServerClosed
	}
	return err
}

// init makes the maps. s.mu must be held.
func (s *Server) init() {
	if s.locks == nil {
		s.locks = make(map[string]*session)
	}
}

// accept starts a session on the raw connection c, or turns it away.
func (s *Server) accept(raw net.Conn) {
	c := s.Tap.Conn(raw, lab.SideServer)
	limit := s.MaxClients
	if limit <= 0 {
		limit = DefaultMaxClients
	}
	ss := newSession(s, c)
	if err := s.conns.Track(ss, limit); err != nil {
		if !errors.Is(err, conns.ErrFull) { // closing: no greeting, no excuse
			c.Close()
			return
		}
		go func() {
			c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			c.Write([]byte("-ERR [SYS/TEMP] Too many connections: this server serves a few clients at once; try again later.\r\n"))
			c.Close()
		}()
		return
	}
	go func() {
		defer s.conns.Untrack(ss)
		ss.serve()
	}()
}

// Addr returns the address of the first listener Serve was given (nil before).
func (s *Server) Addr() net.Addr { return s.conns.Addr() }

// Sessions returns the number of connections being served.
func (s *Server) Sessions() int { return s.conns.Count() }

// Close stops at once: it closes the listeners and every connection. Sessions
// end without the UPDATE state: no marked message is deleted.
func (s *Server) Close() error { return s.conns.Close((*session).kill) }

// Shutdown stops accepting and ends each session once it waits for a command:
// it is told "-ERR [SYS/TEMP]" and closed, without the UPDATE state. It returns
// when no session is left, or with ctx's error when ctx is done first.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.conns.Shutdown(ctx, (*session).wake)
}

func (s *Server) logf(format string, args ...any) {
	if s.Log != nil {
		s.Log.Printf(format, args...)
	}
}

func (s *Server) idleTimeout() time.Duration {
	if s.IdleTimeout > 0 {
		return s.IdleTimeout
	}
	return DefaultIdleTimeout
}

func (s *Server) maxAuthFailures() int {
	if s.MaxAuthFailures > 0 {
		return s.MaxAuthFailures
	}
	return DefaultMaxAuthFailures
}

// tlsConfig is Options.TLS with the tap's key log.
func (s *Server) tlsConfig() *tls.Config { return labtls.WithKeyLog(s.TLS, s.Tap) }

// lock takes the maildrop of addr for ss; false if another session holds it.
func (s *Server) lock(addr string, ss *session) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	if _, held := s.locks[addr]; held {
		return false
	}
	s.locks[addr] = ss
	return true
}

// unlock releases ss's maildrop of addr.
func (s *Server) unlock(addr string, ss *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.locks[addr] == ss {
		delete(s.locks, addr)
	}
}
