// Package sftpserver is the lab's SFTP server: SSH (RFC 4251–4254) from
// golang.org/x/crypto/ssh with password login for the lab's user, and the "sftp"
// subsystem (draft-ietf-secsh-filexfer-02, SFTP version 3) from github.com/pkg/sftp,
// served by handlers of our own over one folder, the root.
//
// The root is a jail: every path is taken inside it (os.Root), so "..", absolute
// paths and symbolic links that lead out of it are refused, and nothing outside is
// read, written or listed. So is, on every OS, a name Windows treats specially
// (internal/safepath: a backslash, a drive letter, a UNC or device path, CON and
// the other device names, a colon, a trailing dot or space, a control character
// or < > " | ? *), with SSH_FX_FAILURE and a message that says why. A file
// with such a name, made on another system, is listed as it is, but no request
// opens, changes or removes it by that name. Uploads go to a hidden temporary
// file beside the target and take the target's name only when the client closes
// the file, so an aborted upload leaves no half file under the final name.
//
// SSH encrypts everything after its key exchange, so a tap sees the SFTP
// operations only as encrypted bytes. The server's handlers therefore report each
// operation (open, read, write, list, stat, rename, remove, mkdir, rmdir, setstat)
// and the login as messages of the tapped connection's conversation
// (lab.Conversation.Report), in the layer "sftp" (the login in "ssh").
//
// Left out: public-key login, shells and commands (only the sftp subsystem is
// served), port forwarding, and links (SSH_FXP_SYMLINK and hard links are refused).
package sftpserver

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"github.com/pkg/sftp"
	xssh "golang.org/x/crypto/ssh"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labdir"
	"github.com/protocollab/protolab/servers/internal/authdelay"
	"github.com/protocollab/protolab/servers/internal/conns"
)

// ErrServerClosed is returned by Serve and ListenAndServe after Close or Shutdown.
var ErrServerClosed = errors.New("sftpserver: server closed")

// Defaults for the Options fields left zero.
const (
	DefaultUser             = "lab"
	DefaultPassword         = "lab"
	DefaultHandshakeTimeout = 30 * time.Second
	// DefaultMaxUploadBytes bounds a file an upload leaves.
	DefaultMaxUploadBytes = 1 << 30
)

// Options configures a Server. Root is the only required field.
type Options struct {
	// Root is the folder the server serves; clients see it as "/". Nothing outside
	// it is reachable. Required.
	Root string
	// User and Password are the login of the lab's user, who may read and write.
	// Empty means DefaultUser and DefaultPassword.
	User, Password string
	// HostKey is the server's host key. Nil means the lab's own, kept in the
	// configuration folder (LoadHostKey(labdir.Config())).
	HostKey xssh.Signer
	// Tap, if non-nil, captures every accepted connection on the server side, and
	// the server reports its SFTP operations to the tapped conversations. Nil
	// captures nothing. The captured bytes are encrypted; the reports name files.
	Tap *lab.Tap
	// HandshakeTimeout bounds the SSH handshake and login of a connection. Zero
	// means DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration
	// AuthDelay is the wait before refusing a wrong password from an address: it
	// doubles with each further failure in a row, up to 8 s. Zero means the lab's
	// default, 250 ms; a negative value does not wait (tests).
	AuthDelay time.Duration
	// MaxUploadBytes bounds the file an upload leaves: a write past it is
	// refused and the upload leaves nothing. Zero means DefaultMaxUploadBytes.
	MaxUploadBytes int64
	// NotifyStarted, if non-nil, is called once Serve accepts connections.
	NotifyStarted func()
	// Logf, if non-nil, receives one line per notable event (a failed login, a
	// refused path). Nil is silent.
	Logf func(format string, args ...any)
}

// Server is an SFTP server with the net/http lifecycle: Serve a listener, then
// Close (now) or Shutdown (gracefully). Set Options before the first Serve and do
// not change them afterwards. Its methods are safe for concurrent use.
type Server struct {
	Options

	started lab.Started
	conns   conns.Set[net.Conn]
	guard   authdelay.Guard // wrong passwords, by address

	mu     sync.Mutex // guards root and signer
	root   *os.Root
	signer xssh.Signer
}

func (s *Server) maxUpload() int64 {
	if s.MaxUploadBytes > 0 {
		return s.MaxUploadBytes
	}
	return DefaultMaxUploadBytes
}

// New returns a server with opts.
func New(opts Options) *Server {
	s := &Server{Options: opts}
	s.guard.Base = opts.AuthDelay
	return s
}

// Started is closed once the server accepts connections; tests wait on it.
func (s *Server) Started() <-chan struct{} { return s.started.C() }

func (s *Server) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
	}
}

func (s *Server) user() string {
	if s.User != "" {
		return s.User
	}
	return DefaultUser
}

func (s *Server) password() string {
	if s.Password != "" {
		return s.Password
	}
	return DefaultPassword
}

// prepareLocked opens the root and loads the host key, once. s.mu must be held.
func (s *Server) prepareLocked() error {
	if s.root == nil {
		if s.Root == "" {
			return errors.New("sftpserver: no root folder: set Options.Root to the folder to serve")
		}
		r, err := os.OpenRoot(s.Root)
		if err != nil {
			return fmt.Errorf("sftpserver: the root folder %s cannot be opened (%v) — choose a folder that exists", s.Root, err)
		}
		s.root = r
	}
	if s.signer == nil {
		s.signer = s.HostKey
		if s.signer == nil {
			dir, err := labdir.Config()
			if err != nil {
				return fmt.Errorf("sftpserver: %w", err)
			}
			if s.signer, err = LoadHostKey(dir); err != nil {
				return err
			}
		}
	}
	return nil
}

// HostPublicKey is the public half of the host key the server serves with (nil
// before Serve).
func (s *Server) HostPublicKey() xssh.PublicKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.signer == nil {
		return nil
	}
	return s.signer.PublicKey()
}

// ListenAndServe listens on the TCP address addr ("127.0.0.1:0" picks a port) and
// serves. A failed bind is a *lab.ListenError that a person can read.
func (s *Server) ListenAndServe(addr string) error {
	if s.conns.Closing() {
		return ErrServerClosed
	}
	l, err := lab.Listen("sftp", addr)
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// Serve accepts connections on l, tapped with Options.Tap, and serves each in its
// own goroutine. It always returns a non-nil error; after Close or Shutdown,
// ErrServerClosed. Serve closes l when it returns.
func (s *Server) Serve(l net.Listener) error {
	l = s.Tap.Listener(l)
	// Under s.mu, so that Close closes the root only after this opened it.
	s.mu.Lock()
	if s.conns.Closing() {
		s.mu.Unlock()
		l.Close()
		return ErrServerClosed
	}
	if err := s.prepareLocked(); err != nil {
		s.mu.Unlock()
		l.Close()
		return err
	}
	listening := s.conns.Listen(&l)
	s.mu.Unlock()
	if !listening {
		l.Close()
		return ErrServerClosed
	}
	defer s.conns.Unlisten(&l)
	s.started.Fire(s.NotifyStarted)

	for {
		c, err := s.conns.Accept(l, func(err error, wait time.Duration) {
			s.logf("sftpserver: accept: %v; retrying in %v", err, wait)
		})
		if errors.Is(err, conns.ErrClosed) {
			return ErrServerClosed
		}
		if err != nil {
			return fmt.Errorf("sftpserver: accept: %w", err)
		}
		if s.conns.Track(c, 0) != nil {
			c.Close()
			continue
		}
		go func() {
			defer s.conns.Untrack(c)
			defer c.Close()
			s.serveConn(c)
		}()
	}
}

// serveConn runs one SSH connection: the handshake and login, then its channels.
func (s *Server) serveConn(c net.Conn) {
	conv := lab.ConnConversation(c)
	cfg := &xssh.ServerConfig{
		PasswordCallback: func(md xssh.ConnMetadata, pass []byte) (*xssh.Permissions, error) {
			okUser := subtle.ConstantTimeCompare([]byte(md.User()), []byte(s.user())) == 1
			okPass := subtle.ConstantTimeCompare(pass, []byte(s.password())) == 1
			if okUser && okPass {
				s.guard.Succeed(c.RemoteAddr())
				report(conv, lab.Message{Layer: "ssh", Summary: "user " + md.User() + " logged in with a password",
					Meaning: "Inside the encryption the client asked for the \"ssh-connection\" service and sent a user name " +
						"and password (SSH_MSG_USERAUTH_REQUEST, method \"password\"); the server checked them and answered " +
						"USERAUTH_SUCCESS. The lab's server reports this: the bytes themselves are encrypted.",
					Ref: "RFC 4252 §8", Fields: []lab.Field{{Name: "user", Value: md.User()}, {Name: "method", Value: "password"}}})
				return nil, nil
			}
			report(conv, lab.Message{Layer: "ssh", Summary: "login as " + md.User() + " refused: wrong user name or password",
				Meaning: "The server answered USERAUTH_FAILURE: the client may try again, a few times, before the server hangs up.",
				Ref:     "RFC 4252 §5.1", Fields: []lab.Field{{Name: "user", Value: md.User()}, {Name: "method", Value: "password"}}})
			s.logf("sftpserver: %v: login as %q refused", c.RemoteAddr(), md.User())
			s.guard.FailConn(s.conns.Done(), c)
			return nil, fmt.Errorf("sftpserver: wrong user name or password for %q", md.User())
		},
	}
	cfg.AddHostKey(s.signer)
	timeout := s.HandshakeTimeout
	if timeout <= 0 {
		timeout = DefaultHandshakeTimeout
	}
	c.SetDeadline(time.Now().Add(timeout))
	sc, chans, reqs, err := xssh.NewServerConn(c, cfg)
	if err != nil {
		s.logf("sftpserver: %v: handshake: %v", c.RemoteAddr(), err)
		return
	}
	c.SetDeadline(time.Time{})
	defer sc.Close()
	go xssh.DiscardRequests(reqs)
	var wg sync.WaitGroup
	defer wg.Wait()
	for nc := range chans {
		if nc.ChannelType() != "session" {
			nc.Reject(xssh.UnknownChannelType, "this server offers only sessions with the sftp subsystem")
			continue
		}
		ch, chReqs, err := nc.Accept()
		if err != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.serveSession(ch, chReqs, conv, sc.User())
		}()
	}
}

// serveSession answers a session channel's requests: the "sftp" subsystem starts
// the SFTP server on it; anything else (a shell, a command, a terminal) is refused.
func (s *Server) serveSession(ch xssh.Channel, reqs <-chan *xssh.Request, conv *lab.Conversation, user string) {
	var done chan struct{}
	defer func() {
		ch.Close()
		if done != nil {
			<-done
		}
	}()
	for req := range reqs {
		if req.Type == "subsystem" && done == nil && subsystem(req.Payload) == "sftp" {
			done = make(chan struct{})
			req.Reply(true, nil)
			report(conv, lab.Message{Summary: "SFTP session started for " + user,
				Meaning: "The client opened a session channel and asked for the \"sftp\" subsystem; from here " +
					"SFTP packets travel inside that channel, encrypted by SSH. The server reports each operation.",
				Ref: "RFC 4254 §6.5, draft-ietf-secsh-filexfer-02 §4"})
			go func() {
				defer close(done)
				h := &handlers{srv: s, root: jail{s.root}, conv: conv}
				rs := sftp.NewRequestServer(ch, sftp.Handlers{FileGet: h, FilePut: h, FileCmd: h, FileList: h})
				rs.Serve()
				rs.Close()
				ch.Close()
			}()
			continue
		}
		req.Reply(false, nil)
	}
}

// subsystem reads the name of a "subsystem" request (RFC 4254 §6.5).
func subsystem(payload []byte) string {
	if len(payload) < 4 {
		return ""
	}
	n := uint32(payload[0])<<24 | uint32(payload[1])<<16 | uint32(payload[2])<<8 | uint32(payload[3])
	if uint64(n) > uint64(len(payload)-4) {
		return ""
	}
	return string(payload[4 : 4+n])
}

// Addr returns the address of the first listener Serve was given (nil before).
func (s *Server) Addr() net.Addr { return s.conns.Addr() }

// Sessions returns the number of live connections.
func (s *Server) Sessions() int { return s.conns.Count() }

// Close stops at once: it closes the listeners and every live connection.
func (s *Server) Close() error {
	err := s.conns.Close(func(c net.Conn) { c.Close() })
	s.conns.Wait()
	s.mu.Lock()
	if s.root != nil {
		s.root.Close()
		s.root = nil
	}
	s.mu.Unlock()
	return err
}

// Shutdown stops accepting and waits until every live connection has ended (its
// client closed it), or ctx is done, in which case it returns ctx's error and the
// connections stay open: call Close to drop them.
func (s *Server) Shutdown(ctx context.Context) error { return s.conns.Shutdown(ctx, nil) }

// report publishes m on conv as the server saw it: a client's request, in the
// "sftp" layer unless m says otherwise. A nil conv (untapped) drops it.
func report(conv *lab.Conversation, m lab.Message) {
	if conv == nil {
		return
	}
	if m.Layer == "" {
		m.Layer = "sftp"
	}
	if m.Dir == 0 {
		m.Dir = lab.ClientToServer
	}
	m.Observed = true
	conv.Report(lab.SideServer, m)
}
