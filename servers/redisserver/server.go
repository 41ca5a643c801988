package redisserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/alicebob/miniredis/v2/server"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/redis"
	"github.com/protocollab/protolab/servers/internal/authdelay"
	"github.com/protocollab/protolab/servers/internal/conns"
)

// ErrServerClosed is returned by Serve after Close or Shutdown.
var ErrServerClosed = errors.New("redisserver: server closed")

// Defaults for the Options fields left zero.
const (
	DefaultUser       = "lab"
	DefaultPassword   = "lab"
	DefaultMaxBulk    = redis.MaxBulk // 4 MiB: what the lab's analyzer shows whole
	DefaultMaxRequest = 16 << 20
	DefaultMaxClients = 1000
	// maxArgs is Redis's bound on the elements of one command (1024*1024).
	maxArgs = 1 << 20
)

// Options configures a Server. The zero value serves the ACL user lab with
// the password lab, the default user off, untapped.
type Options struct {
	// Tap, if non-nil, captures every accepted connection from its first byte.
	// The capture holds AUTH's passwords in clear.
	Tap *lab.Tap
	// User and Password are the ACL user clients log in as (AUTH user
	// password, HELLO 3 AUTH user password). Empty means DefaultUser and
	// DefaultPassword.
	User, Password string
	// DefaultUserOn lets clients in without AUTH, as Redis's default user
	// does out of the box. False: every command but AUTH and HELLO is answered
	// NOAUTH until the client logs in.
	DefaultUserOn bool
	// MaxBulk bounds one argument of a command (Redis's proto-max-bulk-len):
	// a longer one is answered "-ERR Protocol error: invalid bulk length" and
	// the connection closed. Zero means DefaultMaxBulk.
	MaxBulk int
	// MaxRequest bounds all the arguments of one command together (Redis's
	// client-query-buffer-limit); zero means DefaultMaxRequest.
	MaxRequest int
	// MaxClients bounds the live connections; one more is closed at once.
	// Zero means DefaultMaxClients.
	MaxClients int
	// Guard slows down password guessing (a wrong AUTH's answer waits); nil
	// means a Guard of the Server's own.
	Guard *authdelay.Guard
	// NotifyStarted, if non-nil, is called once Serve accepts connections.
	NotifyStarted func()
}

// Server is the lab's Redis server with the net/http lifecycle: Serve a
// listener, then Close (now) or Shutdown (gracefully). Its data lives in
// memory, shared by every listener Serve is given, and goes with it. Its
// methods are safe for concurrent use.
type Server struct {
	Options

	mr      *miniredis.Miniredis
	started lab.Started
	conns   conns.Set[*gate]
}

// New returns a Server with opts, its store empty.
func New(opts Options) (*Server, error) {
	if opts.User == "" {
		opts.User = DefaultUser
	}
	if opts.Password == "" {
		opts.Password = DefaultPassword
	}
	if opts.MaxBulk <= 0 {
		opts.MaxBulk = DefaultMaxBulk
	}
	if opts.MaxRequest <= 0 {
		opts.MaxRequest = DefaultMaxRequest
	}
	if opts.MaxClients <= 0 {
		opts.MaxClients = DefaultMaxClients
	}
	if opts.Guard == nil {
		opts.Guard = &authdelay.Guard{}
	}
	mr := miniredis.NewMiniRedis()
	// Dial starts miniredis without a listener of its own; the pipe it
	// returns is of no use but to start it.
	c, err := mr.Dial()
	if err != nil {
		return nil, fmt.Errorf("redisserver: starting miniredis: %w", err)
	}
	c.Close()
	mr.RequireUserAuth(opts.User, opts.Password)
	mr.ClockTTL(true) // keys expire as the wall clock runs, not only on FastForward
	mr.Server().SetPreHook(commandDocs)
	return &Server{Options: opts, mr: mr}, nil
}

// commandDocs answers COMMAND DOCS, which redis-cli sends to build its help
// and hints, with no documents: miniredis answers it as COMMAND, in a form
// redis-cli 7 aborts on.
func commandDocs(c *server.Peer, cmd string, args ...string) bool {
	if cmd != "COMMAND" || len(args) == 0 || !strings.EqualFold(args[0], "DOCS") {
		return false
	}
	c.WriteMapLen(0)
	return true
}

// Started is closed once the server accepts connections; tests wait on it.
func (s *Server) Started() <-chan struct{} { return s.started.C() }

// Serve accepts connections on l, tapped with Options.Tap, and serves each in
// its own goroutines. It always returns a non-nil error; after Close or
// Shutdown, ErrServerClosed. Serve closes l when it returns.
func (s *Server) Serve(l net.Listener) error {
	err := s.conns.Serve(s.Tap.Listener(l), nil, func() { s.started.Fire(s.NotifyStarted) }, func(c net.Conn) {
		g := newGate(c, s)
		if s.conns.Track(g, s.MaxClients) != nil {
			c.Close()
			return
		}
		go func() {
			defer s.conns.Untrack(g)
			s.mr.Server().ServeConn(g)
			<-g.done
		}()
	})
	switch {
	case errors.Is(err, conns.ErrClosed):
		return ErrServerClosed
	case err != nil:
		return fmt.Errorf("redisserver: accept: %w", err)
	}
	return nil
}

// Addr returns the address of the first listener Serve was given (nil before).
func (s *Server) Addr() net.Addr { return s.conns.Addr() }

// Sessions returns the number of live connections.
func (s *Server) Sessions() int { return s.conns.Count() }

// Close stops at once: it closes the listeners and every live connection, and
// lets the data go.
func (s *Server) Close() error {
	err := s.conns.Close(func(g *gate) { g.kill() })
	s.conns.Wait()
	s.mr.Close()
	return err
}

// Shutdown stops accepting and waits until every live connection has ended,
// or ctx is done, in which case it returns ctx's error. Subscribers stay
// connected until they leave: Close drops them.
func (s *Server) Shutdown(ctx context.Context) error {
	if err := s.conns.Shutdown(ctx, nil); err != nil {
		return err
	}
	s.mr.Close()
	return nil
}

// FastForward moves the server's clock on by d: keys with an expiry age by d
// at once (a test's way to see them expire without waiting).
func (s *Server) FastForward(d time.Duration) { s.mr.FastForward(d) }
