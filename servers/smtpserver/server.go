// Package smtpserver is the lab's SMTP server, built on github.com/emersion/go-smtp:
// mail submission and delivery for one lab mail domain (alpha.test or beta.test)
// after RFC 5321, with STARTTLS (RFC 3207) using a certificate from the lab's CA,
// AUTH PLAIN and LOGIN (RFC 4954, RFC 4616) checked against the domain's
// mailstore.Store, and the enhanced status codes of RFC 3463.
//
// Mail for the server's own domain goes into the Store. Mail for another lab
// domain is relayed: the server looks up the domain's MX record at the lab's DNS
// server (Options.Resolver), connects to that mail host's SMTP server (the port
// comes from Options.RelayPort, as MX records name no port) and delivers the
// message over SMTP itself, STARTTLS included when offered. The relay
// connection is captured with Options.RelayTap and linked under the incoming
// conversation, so the inspector shows client → alpha → beta. Relaying happens
// while the client waits for the reply to its message: there is no queue, and
// a relay that fails is reported to the client (451 or 550) instead of bounced.
//
// The server is never an open relay: mail for another lab domain is taken only
// from a client that logged in (530 5.7.0 otherwise), and mail for any domain
// outside the lab is refused (550 5.7.1) — the lab never sends mail out. A
// client logged in sends only as its own address (553 5.7.1), unless
// Options.AllowAnySender allows spoofing for the lesson. Each server the mail
// passes adds a Received line (RFC 5321 §4.4, with RFC 3848's protocol names),
// and final delivery a Return-Path with the envelope sender. AUTH is
// not offered before STARTTLS unless Options.AllowInsecureAuth is set. Wrong
// passwords are refused (535 5.7.8) after a delay that grows with each failure
// from the same address. Messages over Options.MaxMessageBytes are refused
// (552 5.3.4), recipients over Options.MaxRecipients too (452 4.5.3).
//
// Captured conversations include what clients send, passwords too (inside TLS
// they are seen only through the lab's key log).
package smtpserver

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/authdelay"
	"github.com/protocollab/protolab/servers/mailstore"
)

// ErrServerClosed is returned by Serve after Close or Shutdown.
var ErrServerClosed = errors.New("smtpserver: server closed")

// Defaults of Options.
const (
	DefaultMaxMessageBytes = 10 << 20
	DefaultMaxRecipients   = 50
)

// LabDomains are the mail domains of the lab: mail between them is relayed,
// mail to any other domain is refused.
var LabDomains = []string{mailstore.DomainAlpha, mailstore.DomainBeta}

// Options configures a Server. The only required field is Store.
type Options struct {
	// Store holds the mail of the server's own domain (Store.Domain()).
	Store *mailstore.Store
	// Hostname is the server's name in its greeting and Received headers; ""
	// means "mail." + the domain, the name its MX record gives.
	Hostname string
	// Tap captures every incoming connection; nil captures nothing. It sees the
	// passwords clients send.
	Tap *lab.Tap
	// TLS, if non-nil, offers STARTTLS with this configuration. Give it the lab
	// hub's key log (KeyLogWriter: hub.Keys()) for the inspector to see inside.
	TLS *tls.Config
	// AllowInsecureAuth offers AUTH on connections without TLS. False (the
	// default) keeps passwords off the wire until STARTTLS.
	AllowInsecureAuth bool
	// AllowAnySender lets a logged-in client send as any address. False (the
	// default) holds it to its own (553 5.7.1 otherwise); true is for the
	// lesson on spoofing, where alice sends as bob.
	AllowAnySender bool
	// MaxMessageBytes bounds a message's size; 0 means DefaultMaxMessageBytes.
	MaxMessageBytes int64
	// MaxRecipients bounds a message's recipients; 0 means DefaultMaxRecipients.
	MaxRecipients int

	// RelayDomains are the domains mail is relayed to (for a logged-in client);
	// nil means LabDomains. The server's own domain is never relayed.
	RelayDomains []string
	// Resolver is the lab DNS server's address ("127.0.0.1:5354"), asked for the
	// MX record of a relay domain and the mail host's address. "" means no
	// lookup: the mail host is taken to be 127.0.0.1, where every lab server runs.
	Resolver string
	// DNSTap captures those lookups; nil captures nothing.
	DNSTap *lab.Tap
	// RelayPort returns the port of the SMTP server of a relay domain (MX
	// records name none); nil, or a result of 0, means that domain's server is
	// not running, and its mail is refused for now (451 4.4.1).
	RelayPort func(domain string) int
	// RelayTap captures the connections the server makes to relay mail, as an
	// SMTP client; nil captures nothing.
	RelayTap *lab.Tap
	// RelayRootCAs verifies the certificates of the servers mail is relayed to,
	// when they offer STARTTLS; nil means the system's roots. RelayKeyLog, if
	// set, receives the relay connections' TLS secrets (the hub's Keys()).
	RelayRootCAs *x509.CertPool
	RelayKeyLog  io.Writer

	// AuthDelay is the wait before refusing a wrong password from an address:
	// it doubles with each further failure in a row, up to 8 s. Zero means the
	// lab's default, 250 ms; a negative value does not wait (tests).
	AuthDelay time.Duration
	// ErrorLog receives errors of connections; nil means the log package's
	// standard logger.
	ErrorLog *log.Logger
}

// Server is the lab's SMTP server for one domain. Its methods are safe for
// concurrent use.
type Server struct {
	opts    Options
	smtp    *smtp.Server
	domain  string
	host    string
	started lab.Started
	done    chan struct{}
	// resolver returns the lab DNS server's address, Options.Resolver unless
	// NewLabRelay asks the bench.
	resolver func() string

	guard authdelay.Guard // wrong passwords, by address

	mu       sync.Mutex
	addr     net.Addr
	closed   bool
	sessions atomic.Int64
}

// New returns a server for opts.Store's domain.
func New(opts Options) *Server {
	if opts.MaxMessageBytes <= 0 {
		opts.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if opts.MaxRecipients <= 0 {
		opts.MaxRecipients = DefaultMaxRecipients
	}
	if opts.RelayDomains == nil {
		opts.RelayDomains = LabDomains
	}
	s := &Server{opts: opts, domain: opts.Store.Domain(), done: make(chan struct{})}
	s.guard.Base = opts.AuthDelay
	s.resolver = func() string { return opts.Resolver }
	s.host = opts.Hostname
	if s.host == "" {
		s.host = "mail." + s.domain
	}
	ss := smtp.NewServer(&backend{s: s})
	ss.Domain = s.host
	ss.TLSConfig = opts.TLS
	ss.AllowInsecureAuth = opts.AllowInsecureAuth
	ss.MaxMessageBytes = opts.MaxMessageBytes
	ss.MaxRecipients = opts.MaxRecipients
	ss.ReadTimeout = 5 * time.Minute
	ss.WriteTimeout = time.Minute
	if opts.ErrorLog != nil {
		ss.ErrorLog = opts.ErrorLog
	} else {
		ss.ErrorLog = log.Default()
	}
	s.smtp = ss
	return s
}

// Domain is the mail domain the server delivers for.
func (s *Server) Domain() string { return s.domain }

// Serve accepts connections on l until Close or Shutdown, then returns
// ErrServerClosed.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		l.Close()
		return ErrServerClosed
	}
	s.addr = l.Addr()
	s.mu.Unlock()
	s.started.Fire(nil)
	err := s.smtp.Serve(&countingListener{Listener: s.opts.Tap.Listener(l), s: s})
	select {
	case <-s.done:
		return ErrServerClosed
	default:
	}
	if err == nil {
		return ErrServerClosed
	}
	return err
}

// ListenAndServe listens on addr ("127.0.0.1:2525") and serves.
func (s *Server) ListenAndServe(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// Started is closed once the server serves.
func (s *Server) Started() <-chan struct{} { return s.started.C() }

// Addr is the address the server listens on (nil before Serve).
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Sessions is the number of open connections.
func (s *Server) Sessions() int { return int(s.sessions.Load()) }

func (s *Server) markClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.closed = true
	close(s.done)
	return true
}

// Close stops the server at once, closing every connection.
func (s *Server) Close() error {
	if !s.markClosed() {
		return nil
	}
	if err := s.smtp.Close(); err != nil && !errors.Is(err, smtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}

// Shutdown stops accepting connections and waits for the open ones to end, or
// for ctx to end.
func (s *Server) Shutdown(ctx context.Context) error {
	if !s.markClosed() {
		return nil
	}
	err := s.smtp.Shutdown(ctx)
	if errors.Is(err, smtp.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

type countingListener struct {
	net.Listener
	s *Server
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.s.sessions.Add(1)
	return &countedConn{Conn: c, s: l.s}, nil
}

type countedConn struct {
	net.Conn
	s    *Server
	once sync.Once
}

// Unwrap returns the counted connection (the lab's tap on the socket).
func (c *countedConn) Unwrap() net.Conn { return c.Conn }

func (c *countedConn) Close() error {
	c.once.Do(func() { c.s.sessions.Add(-1) })
	return c.Conn.Close()
}

// domainOf returns the lower-case domain of an address.
func domainOf(addr string) string {
	_, d, _ := strings.Cut(addr, "@")
	return strings.ToLower(strings.TrimSuffix(d, "."))
}
