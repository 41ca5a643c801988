// Package wsserver is the lab's WebSocket server (RFC 6455), built on
// gorilla/websocket: an echo endpoint and a chat room, as an http.Handler to mount
// on any HTTP server (Handler) and as a Server of its own that also serves the
// chat demo page at "/" so a browser can join.
//
// Every connection is pinged now and then (PingInterval) and dropped when it has
// been silent for two intervals; messages are bounded (MaxMessageBytes, close
// 1009), and so are clients (MaxClients, 503 before the upgrade). A chat member
// that falls behind is dropped with close 1008 rather than stalling the room.
// Compression (permessage-deflate) is not offered.
package wsserver

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/protocollab/protolab/assets/web"
	"github.com/protocollab/protolab/lab"
)

// ErrServerClosed is returned by Serve and ListenAndServe after Close or Shutdown.
var ErrServerClosed = errors.New("wsserver: server closed")

// Server is the lab's WebSocket server on a port of its own, with the net/http
// lifecycle: Serve a listener, then Close (now) or Shutdown (gracefully: every
// WebSocket is sent 1001 going away). It serves /ws/echo, /ws/chat, the chat page
// at "/" and the lab's other pages. Set Options before the first Serve and do not
// change them afterwards. Its methods are safe for concurrent use.
type Server struct {
	Options

	once    sync.Once
	srv     *http.Server
	h       *handler
	started lab.Started
	closing atomic.Bool

	mu    sync.Mutex
	addr  net.Addr
	conns map[net.Conn]struct{}
}

// New returns a server with opts.
func New(opts Options) *Server { return &Server{Options: opts} }

func (s *Server) init() {
	s.once.Do(func() {
		s.conns = make(map[net.Conn]struct{})
		s.h = newHandler(s.Options)
		errLog := s.ErrorLog
		if errLog == nil {
			errLog = log.New(io.Discard, "", 0)
		}
		mux := http.NewServeMux()
		mux.Handle("/ws/", s.h)
		mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
			http.ServeFileFS(w, r, web.Root, "chat.html")
		})
		mux.Handle("/", http.FileServerFS(web.Root))
		s.srv = &http.Server{
			Handler:           mux,
			ReadHeaderTimeout: 30 * time.Second,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          errLog,
			ConnState:         s.connState,
		}
	})
}

// connState counts the HTTP connections not yet upgraded.
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

// Serve accepts connections on l, tapped with Options.Tap (below the WebSocket, so
// the lab sees the handshake and every frame as bytes). It always returns a
// non-nil error; after Close or Shutdown, ErrServerClosed. Serve closes l when it
// returns.
func (s *Server) Serve(l net.Listener) error {
	s.init()
	if s.closing.Load() {
		l.Close()
		return ErrServerClosed
	}
	l = s.Tap.Listener(l)
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

// Sessions returns the number of open WebSockets plus the HTTP connections not
// upgraded (a browser fetching the page).
func (s *Server) Sessions() int {
	s.init()
	s.mu.Lock()
	n := len(s.conns)
	s.mu.Unlock()
	return n + s.h.count()
}

// Close stops at once: it closes the listeners, the HTTP connections and every
// WebSocket.
func (s *Server) Close() error {
	s.init()
	s.closing.Store(true)
	err := s.srv.Close()
	s.h.closeAll()
	return err
}

// Shutdown stops accepting, sends every WebSocket a close frame (1001 going away)
// and waits until the clients have answered and the connections ended, or ctx is
// done, in which case it drops them and returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	s.init()
	s.closing.Store(true)
	err := s.srv.Shutdown(ctx)
	if werr := s.h.shutdown(ctx); err == nil {
		err = werr
	}
	return err
}
