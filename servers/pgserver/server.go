package pgserver

import (
	"context"
	"crypto/tls"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/authdelay"
	"github.com/protocollab/protolab/servers/internal/conns"
)

// ErrServerClosed is returned by Serve after Close or Shutdown.
var ErrServerClosed = errors.New("pgserver: server closed")

// The password methods of Options.Auth, as pg_hba.conf names them.
const (
	AuthSCRAM     = "scram-sha-256"
	AuthMD5       = "md5"
	AuthCleartext = "password"
)

// Defaults for the Options fields left zero.
const (
	DefaultUser             = "lab"
	DefaultPassword         = "lab"
	DefaultMaxClients       = 100
	DefaultMaxMessage       = 1 << 20
	DefaultMaxCopy          = 64 << 20
	DefaultHandshakeTimeout = 10 * time.Second
)

// Options configures a Server. DB is required.
type Options struct {
	// DB is the SQLite database served (OpenDB opens the lab's). Each session
	// holds one of its connections for its life; the Server does not close it.
	DB *sql.DB
	// User and Password are the one login; empty means DefaultUser and
	// DefaultPassword.
	User, Password string
	// Auth is the password method: AuthSCRAM (the zero value), AuthMD5 or
	// AuthCleartext. The capture holds a cleartext password in clear unless
	// the session is TLS.
	Auth string
	// TLS, if set, answers SSLRequest with 'S' and does the handshake with it;
	// nil answers 'N'. Set its KeyLogWriter (servers/internal/labtls.WithKeyLog)
	// for the lab to decrypt.
	TLS *tls.Config
	// Tap, if non-nil, captures every accepted connection from its first byte.
	Tap *lab.Tap
	// MaxClients bounds the live connections (cancel requests included); one
	// more is closed at once. Zero means DefaultMaxClients.
	MaxClients int
	// MaxMessage bounds a message from a client. Zero means DefaultMaxMessage.
	MaxMessage int
	// MaxCopy bounds the bytes of one COPY FROM STDIN. Zero means DefaultMaxCopy.
	MaxCopy int64
	// HandshakeTimeout bounds the startup: TLS, startup message and
	// authentication. Zero means DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration
	// AuthDelay is the wait after a wrong password (authdelay.Guard.Base): zero
	// is authdelay.Default, a negative value none (tests).
	AuthDelay time.Duration
	// NotifyStarted, if non-nil, is called once Serve accepts connections.
	NotifyStarted func()
}

// Server is a PostgreSQL frontend/backend protocol 3.0 server over a SQLite
// database, with the net/http lifecycle: Serve a listener, then Close (now) or
// Shutdown (gracefully). Its methods are safe for concurrent use.
type Server struct {
	Options

	started lab.Started
	conns   conns.Set[net.Conn]
	guard   authdelay.Guard

	mu       sync.Mutex
	sessions map[uint32]*session // by process id, for CancelRequest
}

// nextPID gives the sessions of every Server in the process their process
// ids: pg_sleep finds its session's statement by it.
var nextPID atomic.Uint32

// New returns a Server with opts, or an error for a missing database or an
// unknown password method.
func New(opts Options) (*Server, error) {
	if opts.DB == nil {
		return nil, errors.New("pgserver: no database to serve")
	}
	switch opts.Auth {
	case "":
		opts.Auth = AuthSCRAM
	case AuthSCRAM, AuthMD5, AuthCleartext:
	default:
		return nil, fmt.Errorf("pgserver: unknown password method %q: choose %q, %q or %q", opts.Auth, AuthSCRAM, AuthMD5, AuthCleartext)
	}
	if opts.User == "" {
		opts.User = DefaultUser
	}
	if opts.Password == "" {
		opts.Password = DefaultPassword
	}
	if opts.MaxClients <= 0 {
		opts.MaxClients = DefaultMaxClients
	}
	if opts.MaxMessage <= 0 {
		opts.MaxMessage = DefaultMaxMessage
	}
	if opts.MaxCopy <= 0 {
		opts.MaxCopy = DefaultMaxCopy
	}
	if opts.HandshakeTimeout <= 0 {
		opts.HandshakeTimeout = DefaultHandshakeTimeout
	}
	s := &Server{Options: opts, sessions: make(map[uint32]*session)}
	s.guard.Base = opts.AuthDelay
	return s, nil
}

// Started is closed once the server accepts connections; tests wait on it.
func (s *Server) Started() <-chan struct{} { return s.started.C() }

// Serve accepts connections on l, tapped with Options.Tap, and serves each
// in its own goroutine. It always returns a non-nil error; after Close or
// Shutdown, ErrServerClosed. Serve closes l when it returns.
func (s *Server) Serve(l net.Listener) error {
	err := s.conns.Serve(s.Tap.Listener(l), nil, func() { s.started.Fire(s.NotifyStarted) }, func(c net.Conn) {
		if s.conns.Track(c, s.MaxClients) != nil {
			c.Close()
			return
		}
		go func() {
			defer s.conns.Untrack(c)
			defer c.Close()
			s.handle(c)
		}()
	})
	switch {
	case errors.Is(err, conns.ErrClosed):
		return ErrServerClosed
	case err != nil:
		return fmt.Errorf("pgserver: accept: %w", err)
	}
	return nil
}

// Addr returns the address of the first listener Serve was given (nil before).
func (s *Server) Addr() net.Addr { return s.conns.Addr() }

// Sessions returns the number of live connections.
func (s *Server) Sessions() int { return s.conns.Count() }

// Close stops at once: it closes the listeners and every live connection,
// which rolls back their open transactions.
func (s *Server) Close() error {
	err := s.conns.Close(func(c net.Conn) { c.Close() })
	s.mu.Lock()
	for _, sess := range s.sessions {
		sess.stop() // a running statement ends too
	}
	s.mu.Unlock()
	s.conns.Wait()
	return err
}

// Shutdown stops accepting and waits until every live connection has ended, or
// ctx is done, in which case it returns ctx's error. Clients stay connected
// until they leave: Close drops them.
func (s *Server) Shutdown(ctx context.Context) error { return s.conns.Shutdown(ctx, nil) }

// register gives sess a process id and a secret key for CancelRequest.
func (s *Server) register(sess *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		sess.pid = nextPID.Add(1)
		if _, used := s.sessions[sess.pid]; !used && sess.pid != 0 {
			break
		}
	}
	s.sessions[sess.pid] = sess
}

func (s *Server) unregister(sess *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sessions[sess.pid] == sess {
		delete(s.sessions, sess.pid)
	}
}

// lookup returns the session of pid when key is its secret.
func (s *Server) lookup(pid uint32, key []byte) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.sessions[pid]
	if sess == nil || !sess.secretIs(key) {
		return nil
	}
	return sess
}
