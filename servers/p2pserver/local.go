package p2pserver

import (
	"context"
	"net"
	"sync"

	"github.com/protocollab/protolab/lab"
)

// DialLocal connects to the server in process, not over TCP: the lab's
// answering peer signals this way, so its own signalling is no conversation
// of the lab's (it would stay open as long as the server). It has the form of
// net.Dialer's DialContext, for p2pclient.SignalOptions.NetDial.
func (s *SignalServer) DialLocal(ctx context.Context, _, _ string) (net.Conn, error) {
	if s.closing.Load() {
		return nil, ErrServerClosed
	}
	s.localOnce.Do(func() {
		s.local = &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
		go s.srv.Serve(s.local) // ends with Close or Shutdown, which close every listener
	})
	client, server := net.Pipe()
	select {
	case s.local.conns <- server:
		return client, nil
	case <-s.local.done:
		return nil, ErrServerClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// closeLocal stops DialLocal's listener, if it ever started.
func (s *SignalServer) closeLocal() {
	s.localOnce.Do(func() {}) // no DialLocal starts it from now on
	if s.local != nil {
		s.local.Close()
	}
}

// ConversationOf is the conversation of the peer called name in room (its
// WebSocket as the server's tap saw it), 0 if there is none.
func (s *SignalServer) ConversationOf(room, name string) lab.ConvID {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.rooms[room]
	if r == nil || r.members[name] == nil {
		return 0
	}
	if c := lab.ConnConversation(r.members[name].ws.NetConn()); c != nil {
		return c.ID()
	}
	return 0
}

// pipeListener hands DialLocal's connections to the HTTP server.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "in-process" }
