// Package ftpserver is the lab's own FTP server, written to RFC 959 (FTP), RFC 2428
// (EPRT, EPSV), RFC 3659 (SIZE, MDTM, REST STREAM, MLST, MLSD), RFC 2389 (FEAT,
// OPTS) and RFC 4217 (AUTH TLS, PBSZ, PROT), with the security advice of RFC 2577.
//
// It serves one folder, Options.Root, and nothing outside it: every path is
// resolved inside the root through an os.Root, so "..", absolute paths and
// symbolic links that lead out of the folder are refused with 550 (and logged).
// So is, on every OS, a name Windows treats specially (internal/safepath: a
// backslash, a drive letter, a UNC or device path, CON and the other device
// names, a colon, a trailing dot or space, a control character or < > " | ? *):
// 553 when the name would be given to a file (STOR, APPE, RNTO), 550 otherwise.
// A file with such a name, made on another system, is listed as it is, but no
// command opens, changes or deletes it by that name.
// Active-mode data connections (PORT, EPRT) go only to the address the control
// connection comes from (no FTP bounce) and never to a privileged port. An upload
// is written to a temporary file beside its target and renamed into place only
// when the transfer completes, so an aborted or failed upload leaves no partial
// file under the final name. MLST and MLSD show the facts type, size, modify
// and perm, or those a session chose with OPTS MLST (RFC 3659 §7.9).
//
// Left out: MODE B and C, STRU R and P, TYPE E, STOU, ACCT, SITE and CCC; the
// commands answer 502 or 504.
//
// A tapped server captures each control connection with Options.Tap and each data
// connection with Options.DataTap, linked under its control connection's
// conversation with a label such as "RETR logo.png". The captured bytes include
// the passwords clients send (in clear text unless AUTH TLS protects them).
package ftpserver

import (
	"context"
	"crypto/tls"
	"errors"
	"log"
	"net"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/authdelay"
	"github.com/protocollab/protolab/servers/internal/conns"
	"github.com/protocollab/protolab/servers/internal/labtls"
)

// ErrServerClosed is returned by Serve and ListenAndServe after Close or Shutdown.
var ErrServerClosed = errors.New("ftpserver: server closed")

// Defaults for the zero values of Options.
const (
	DefaultIdleTimeout = 5 * time.Minute
	DefaultDataTimeout = 30 * time.Second
	DefaultMaxClients  = 64
	// DefaultMaxUploadBytes bounds a file an upload (STOR, APPE) leaves.
	DefaultMaxUploadBytes = 1 << 30
)

// Account is one user who may log in.
type Account struct {
	User     string
	Password string // ignored for Anonymous accounts: any password is accepted
	// Anonymous accounts accept any password (by convention an e-mail address).
	Anonymous bool
	// Write allows uploads, deletes, renames and new folders.
	Write bool
}

// DefaultAccounts are the accounts of a server whose Options.Accounts is nil:
// "anonymous" (and its alias "ftp") read-only, and "lab" with password "lab",
// read-write.
var DefaultAccounts = []Account{
	{User: "anonymous", Anonymous: true},
	{User: "ftp", Anonymous: true},
	{User: "lab", Password: "lab", Write: true},
}

// Options configures a Server. The zero value serves DefaultRoot untapped, with
// DefaultAccounts.
type Options struct {
	// Root is the folder the server serves as "/". Empty means DefaultRoot (the
	// lab's folder, seeded once with assets/ftproot).
	Root string
	// Accounts are the users who may log in. Nil means DefaultAccounts; an empty
	// non-nil slice lets nobody in.
	Accounts []Account
	// Tap, if non-nil, captures every control connection on the server side. The
	// captured bytes include the passwords clients send.
	Tap *lab.Tap
	// DataTap, if non-nil, captures every data connection, each linked under its
	// control connection's conversation (lab.Conversation.SetLink). Nil captures none.
	DataTap *lab.Tap
	// PassivePortMin and PassivePortMax bound the ports PASV and EPSV listen on.
	// Zero (either) means any free port the system picks.
	PassivePortMin, PassivePortMax int
	// IdleTimeout closes a control connection silent for this long (421). Zero
	// means DefaultIdleTimeout.
	IdleTimeout time.Duration
	// DataTimeout bounds waiting for a data connection (accept or connect) and
	// each read or write on one. Zero means DefaultDataTimeout.
	DataTimeout time.Duration
	// MaxClients bounds the control connections served at once; more are greeted
	// with 421 and closed. Zero means DefaultMaxClients.
	MaxClients int
	// TLS, if non-nil, offers AUTH TLS (RFC 4217) with this configuration, and
	// PROT P for TLS on the data connections. A tapped server writes the TLS
	// secrets to the tap's hub key log. Nil offers no TLS.
	TLS *tls.Config
	// AuthDelay is the wait before answering a wrong password (530) from an
	// address: it doubles with each further failure in a row, up to 8 s (RFC 2577
	// §5). Zero means the lab's default, 250 ms; a negative value does not wait
	// (tests).
	AuthDelay time.Duration
	// MaxUploadBytes bounds the file an upload (STOR, APPE) leaves: past it the
	// transfer is cut, answered 552 (exceeded storage allocation, RFC 959 §4.2)
	// and nothing is kept. Zero means DefaultMaxUploadBytes.
	MaxUploadBytes int64
	// Banner is the greeting's text. Empty means "Protocol Lab FTP server ready".
	Banner string
	// Log, if non-nil, receives a line for each refused escape from the root, each
	// refused active-mode address, and each failed transfer. Nil discards them.
	Log *log.Logger
	// NotifyStarted, if non-nil, is called once Serve accepts connections.
	NotifyStarted func()
}

// Server is the lab's FTP server with the net/http lifecycle: Serve a listener,
// then Close (now) or Shutdown (gracefully). Set Options before the first Serve
// and do not change them afterwards. Its methods are safe for concurrent use.
type Server struct {
	Options

	started lab.Started
	conns   conns.Set[*session]
	guard   authdelay.Guard // wrong passwords, by address
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
	l, err := lab.Listen("ftp", addr)
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// Serve accepts control connections on l, each tapped with Options.Tap, and serves
// FTP on each. It always returns a non-nil error; after Close or Shutdown,
// ErrServerClosed. Serve closes l when it returns.
func (s *Server) Serve(l net.Listener) error {
	fsys, err := openRoot(s.Root)
	if err != nil {
		l.Close()
		return err
	}
	defer fsys.Close()
	err = s.conns.Serve(l, nil, func() { s.started.Fire(s.NotifyStarted) }, func(c net.Conn) { s.accept(c, fsys) })
	if errors.Is(err, conns.ErrClosed) {
		return ErrServerClosed
	}
	return err
}

// accept starts a session on the raw connection c, or turns it away.
func (s *Server) accept(raw net.Conn, fsys *jail) {
	setOOBInline(raw)
	c := s.Tap.Conn(raw, lab.SideServer)
	max := s.MaxClients
	if max <= 0 {
		max = DefaultMaxClients
	}
	ss := newSession(s, c, fsys)
	if err := s.conns.Track(ss, max); err != nil {
		if !errors.Is(err, conns.ErrFull) { // closing: no greeting, no excuse
			c.Close()
			return
		}
		go func() {
			c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			c.Write([]byte("421 Too many connections: this server serves at most a few clients at once; try again later.\r\n"))
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

// Sessions returns the number of control connections being served.
func (s *Server) Sessions() int { return s.conns.Count() }

// Close stops at once: it closes the listeners, every control connection and
// every data connection. Uploads under way are discarded.
func (s *Server) Close() error { return s.conns.Close((*session).kill) }

// Shutdown stops accepting and ends each session once it is idle: a session
// waiting for a command is told 421 and closed, one in a transfer once the
// transfer is done. It returns when no session is left, or with ctx's error when
// ctx is done first.
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

func (s *Server) dataTimeout() time.Duration {
	if s.DataTimeout > 0 {
		return s.DataTimeout
	}
	return DefaultDataTimeout
}

func (s *Server) maxUpload() int64 {
	if s.MaxUploadBytes > 0 {
		return s.MaxUploadBytes
	}
	return DefaultMaxUploadBytes
}

func (s *Server) accounts() []Account {
	if s.Accounts == nil {
		return DefaultAccounts
	}
	return s.Accounts
}

// tlsConfig is Options.TLS with the tap's key log.
func (s *Server) tlsConfig() *tls.Config { return labtls.WithKeyLog(s.TLS, s.Tap) }
