package p2pserver

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

	"github.com/gorilla/websocket"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/p2p"
)

// ErrServerClosed is returned by Serve after Close or Shutdown.
var ErrServerClosed = errors.New("p2pserver: server closed")

// SignalOptions configures a SignalServer. The zero value serves the room
// "lab", lets peers create others, and captures nothing.
type SignalOptions struct {
	// Rooms are the rooms that exist from the start; nil means
	// p2p.DefaultRoom. A room made by a join with create:true lasts while
	// someone is in it; these last for ever.
	Rooms []string
	// NoCreate refuses joins that would create a room.
	NoCreate bool
	// MaxPeers bounds the peers of one room; zero means 16.
	MaxPeers int
	// MaxRooms bounds the rooms; zero means 64.
	MaxRooms int
	// Tap, if non-nil, captures every connection (the p2p protocol's tap).
	Tap *lab.Tap
	// NotifyStarted, if set, is called once Serve accepts connections.
	NotifyStarted func()
	// ErrorLog receives the HTTP server's errors; nil discards them.
	ErrorLog *log.Logger
}

// SignalServer is the lab's signalling server: WebSocket at p2p.Path, rooms
// of peers passing offers, answers and candidates to each other (package
// p2p describes the messages). It has the net/http lifecycle. Its methods
// are safe for concurrent use.
type SignalServer struct {
	opts    SignalOptions
	srv     *http.Server
	started lab.Started
	closing atomic.Bool
	up      websocket.Upgrader

	localOnce sync.Once
	local     *pipeListener // DialLocal's

	mu    sync.Mutex
	addr  net.Addr
	rooms map[string]*room
	peers map[*member]struct{}
	wg    sync.WaitGroup
}

// NewSignal returns a signalling server with opts.
func NewSignal(opts SignalOptions) *SignalServer {
	if opts.Rooms == nil {
		opts.Rooms = []string{p2p.DefaultRoom}
	}
	if opts.MaxPeers == 0 {
		opts.MaxPeers = 16
	}
	if opts.MaxRooms == 0 {
		opts.MaxRooms = 64
	}
	s := &SignalServer{opts: opts, rooms: make(map[string]*room), peers: make(map[*member]struct{})}
	for _, r := range opts.Rooms {
		s.rooms[r] = &room{name: r, kept: true, members: make(map[string]*member)}
	}
	errLog := opts.ErrorLog
	if errLog == nil {
		errLog = log.New(io.Discard, "", 0)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+p2p.Path, s.upgrade)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 30 * time.Second, MaxHeaderBytes: 64 << 10, ErrorLog: errLog}
	s.up = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }} // a browser page on another lab port
	return s
}

// Started is closed once the server accepts connections.
func (s *SignalServer) Started() <-chan struct{} { return s.started.C() }

// Serve accepts connections on l, tapped with SignalOptions.Tap, until Close
// or Shutdown; it then returns ErrServerClosed. It closes l.
func (s *SignalServer) Serve(l net.Listener) error {
	if s.closing.Load() {
		l.Close()
		return ErrServerClosed
	}
	l = s.opts.Tap.Listener(l)
	s.mu.Lock()
	if s.addr == nil {
		s.addr = l.Addr()
	}
	s.mu.Unlock()
	s.started.Fire(s.opts.NotifyStarted)
	err := s.srv.Serve(l)
	if errors.Is(err, http.ErrServerClosed) || s.closing.Load() {
		return ErrServerClosed
	}
	return err
}

// Addr is the address of the first listener Serve was given (nil before).
func (s *SignalServer) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// URL is the WebSocket URL peers dial ("ws://127.0.0.1:8188/signal"), "" before Serve.
func (s *SignalServer) URL() string {
	if a := s.Addr(); a != nil {
		return "ws://" + a.String() + p2p.Path
	}
	return ""
}

// Sessions is the number of connected peers.
func (s *SignalServer) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.peers)
}

// Rooms returns the rooms and the peers in each.
func (s *SignalServer) Rooms() map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string][]string, len(s.rooms))
	for name, r := range s.rooms {
		out[name] = r.names(nil)
	}
	return out
}

// Close stops at once, dropping every peer.
func (s *SignalServer) Close() error {
	s.closing.Store(true)
	s.closeLocal()
	err := s.srv.Close()
	s.mu.Lock()
	for m := range s.peers {
		m.ws.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

// Shutdown stops accepting, sends every peer a close frame (1001 going away)
// and waits for them to go, or for ctx, when it drops them.
func (s *SignalServer) Shutdown(ctx context.Context) error {
	s.closing.Store(true)
	s.closeLocal()
	err := s.srv.Shutdown(ctx)
	s.mu.Lock()
	for m := range s.peers {
		m.goingAway()
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		s.Close()
		if err == nil {
			err = ctx.Err()
		}
	}
	return err
}

func (s *SignalServer) upgrade(w http.ResponseWriter, r *http.Request) {
	if s.closing.Load() {
		http.Error(w, "the signalling server is stopping", http.StatusServiceUnavailable)
		return
	}
	ws, err := s.up.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	ws.SetReadLimit(maxMessage)
	m := &member{s: s, ws: ws, out: make(chan p2p.Message, 64), quit: make(chan struct{})}
	s.mu.Lock()
	if s.closing.Load() {
		s.mu.Unlock()
		ws.Close()
		return
	}
	s.peers[m] = struct{}{}
	s.wg.Add(2)
	s.mu.Unlock()
	go m.write()
	go m.read()
}

// maxMessage bounds a signalling message (an SDP is a few KiB).
const maxMessage = 256 << 10
