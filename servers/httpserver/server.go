// Package httpserver is the lab's HTTP server (RFC 9110), built on net/http: a few
// static pages and httpbin-style endpoints that show the protocol at work (echo,
// status codes, delays, chunked streams, redirects, cookies). See Handler for the
// endpoints. Without TLS it serves HTTP/1.x (RFC 9112); with Options.TLS it serves
// HTTPS (RFC 9110 §4.2.2, TLS 1.2 RFC 5246 and 1.3 RFC 8446) and HTTP/2 (RFC 9113)
// when the client asks for it by ALPN (RFC 7301). HTTP/2 without TLS (h2c) and
// HTTP/3 are not offered.
//
// A tapped HTTPS server taps the encrypted bytes, below TLS, and writes its TLS
// secrets to the tap's hub (lab.Hub.Keys), from which the lab's TLS analyzer
// decrypts them, as Wireshark does with a key log file.
package httpserver

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/labtls"
	"github.com/protocollab/protolab/servers/whipserver"
	"github.com/protocollab/protolab/servers/wsserver"
)

// ErrServerClosed is returned by Serve and ListenAndServe after Close or Shutdown.
var ErrServerClosed = errors.New("httpserver: server closed")

// Options configures a Server. The zero value is an untapped server.
type Options struct {
	// Tap, if non-nil, captures every accepted connection on the server side.
	// Nil captures nothing. Captured bytes include cookies and any credentials
	// clients send.
	Tap *lab.Tap
	// NotifyStarted, if non-nil, is called once Serve accepts connections.
	NotifyStarted func()
	// ErrorLog, if non-nil, receives net/http's errors (a client's malformed
	// request, a failed write). Nil discards them.
	ErrorLog *log.Logger
	// Docroot is what "/" serves. Nil serves the lab's own pages (assets/web);
	// os.DirFS(folder) serves a folder the person picked.
	Docroot fs.FS
	// TLS, if non-nil, makes the server speak HTTPS with this configuration (it
	// needs a certificate). Its NextProtos decide HTTP/2: nil offers "h2" and
	// "http/1.1"; a list without "h2" serves HTTP/1.1 only. A tapped server also
	// writes its TLS secrets to the tap's hub, besides any KeyLogWriter set here.
	// Nil serves plain HTTP.
	TLS *tls.Config
	// WHIP, if non-nil, is the WHIP endpoint mounted at /whip (RFC 9725):
	// the lab's answering peer answers POSTed offers. Close and Shutdown
	// end its sessions. Nil: no /whip.
	WHIP *whipserver.Handler
	// Signal, if set, returns the host:port of the lab's signalling server
	// (servers/p2pserver), "" while it is not running: /p2p.html, the
	// browser's WebRTC peer, connects to it. Nil: the page guesses port 8188
	// on the host it came from.
	Signal func() string
}

// Server is the lab's HTTP server with the net/http lifecycle: Serve a listener,
// then Close (now) or Shutdown (gracefully). Set Options before the first Serve and
// do not change them afterwards. Its methods are safe for concurrent use.
type Server struct {
	Options

	once    sync.Once
	srv     *http.Server
	tls     *tls.Config // Options.TLS as served, nil for plain HTTP
	started lab.Started
	closing atomic.Bool

	ws *wsserver.Endpoints // /ws/echo and /ws/chat

	mu    sync.Mutex
	addr  net.Addr
	conns map[net.Conn]struct{}
}

// New returns a server with opts.
func New(opts Options) *Server { return &Server{Options: opts} }

// init builds the net/http server once.
func (s *Server) init() {
	s.once.Do(func() {
		s.conns = make(map[net.Conn]struct{})
		s.ws = wsserver.NewEndpoints(wsserver.Options{})
		errLog := s.ErrorLog
		if errLog == nil {
			errLog = log.New(io.Discard, "", 0)
		}
		s.srv = &http.Server{
			Handler:           s.routes(),
			ReadHeaderTimeout: 30 * time.Second,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          errLog,
			ConnState:         s.connState,
		}
		if s.WHIP != nil {
			s.srv.ConnContext = whipserver.ConnContext
		}
		if s.TLS != nil {
			s.tls = s.tlsConfig()
			// http.Server.Serve sets HTTP/2 up for a listener of *tls.Conn only when
			// its own TLSConfig is nil (or lists "h2") and its Protocols allow it.
			var p http.Protocols
			p.SetHTTP1(true)
			p.SetHTTP2(slices.Contains(s.tls.NextProtos, "h2"))
			s.srv.Protocols = &p
		}
	})
}

// routes are Handler's with the Server's own: WebSocket at /ws/, the WHIP
// endpoint at /whip and /whip/{id} (with Options.WHIP), and the browser's
// WebRTC peer at /p2p.html, whatever the docroot.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", handler(s.Docroot, s.ws))
	mux.HandleFunc("GET "+P2PPath, p2pPage(s.Signal))
	if s.WHIP != nil {
		mux.Handle(whipserver.Path, s.WHIP)
		mux.Handle(whipserver.Path+"/", s.WHIP)
	}
	return mux
}

// tlsConfig is Options.TLS with the lab's defaults and the tap's key log.
func (s *Server) tlsConfig() *tls.Config {
	c := labtls.WithKeyLog(s.TLS, s.Tap)
	if c.NextProtos == nil {
		c.NextProtos = []string{"h2", "http/1.1"}
	}
	return c
}

// connState counts the open connections.
func (s *Server) connState(c net.Conn, st http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch st {
	case http.StateNew:
		s.conns[c] = struct{}{}
	case http.StateClosed, http.StateHijacked:
		delete(s.conns, c)
	}
}

// Started is closed once the server accepts connections; tests wait on it.
func (s *Server) Started() <-chan struct{} { return s.started.C() }

// ListenAndServe listens on the TCP address addr ("127.0.0.1:0" picks a port) and
// serves. A failed bind is a *lab.ListenError that a person can read.
func (s *Server) ListenAndServe(addr string) error {
	if s.closing.Load() {
		return ErrServerClosed
	}
	l, err := lab.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// Serve accepts connections on l, tapped with Options.Tap, and serves HTTP on each,
// or HTTPS when Options.TLS is set: the tap sees the encrypted bytes, net/http a
// *tls.Conn (which it needs to serve HTTPS and HTTP/2). It always returns a
// non-nil error; after Close or Shutdown, ErrServerClosed. Serve closes l when it
// returns.
func (s *Server) Serve(l net.Listener) error {
	s.init()
	if s.closing.Load() {
		l.Close()
		return ErrServerClosed
	}
	l = s.Tap.Listener(l)
	if s.tls != nil {
		l = tls.NewListener(l, s.tls)
	}
	s.mu.Lock()
	if s.addr == nil {
		s.addr = l.Addr()
	}
	s.mu.Unlock()
	s.started.Fire(s.NotifyStarted)
	err := s.srv.Serve(l)
	if errors.Is(err, http.ErrServerClosed) || s.closing.Load() {
		return ErrServerClosed
	}
	return err
}

// Addr returns the address of the first listener Serve was given (nil before).
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Sessions returns the number of open connections, idle keep-alive ones and
// WebSockets included.
func (s *Server) Sessions() int {
	s.mu.Lock()
	n := len(s.conns)
	s.mu.Unlock()
	if s.ws != nil {
		n += s.ws.Sessions()
	}
	return n
}

// Close stops at once: it closes the listeners and every open connection.
func (s *Server) Close() error {
	s.init()
	s.closing.Store(true)
	err := s.srv.Close()
	s.ws.Close() // hijacked: http.Server leaves them alone
	if s.WHIP != nil {
		s.WHIP.Close()
	}
	return err
}

// Shutdown stops accepting, closes idle connections and waits until the requests
// under way have been answered, or ctx is done, in which case it returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	s.init()
	s.closing.Store(true)
	err := s.srv.Shutdown(ctx)
	if werr := s.ws.Shutdown(ctx); err == nil {
		err = werr
	}
	if s.WHIP != nil {
		s.WHIP.Close() // a peer connection has no graceful end to wait for
	}
	return err
}
