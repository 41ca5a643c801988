package p2pclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/p2p"
)

// SignalOptions configures a signalling connection.
type SignalOptions struct {
	// Tap, if non-nil, captures the WebSocket connection (the p2p protocol's
	// tap, as the client's side). Nil captures nothing.
	Tap *lab.Tap
	// DialTimeout bounds the connection and the upgrade; zero means 10 s.
	DialTimeout time.Duration
	// NetDial, if set, makes the connection instead of TCP (Tap is then
	// not used): a server's in-process connection to itself
	// (p2pserver.SignalServer.DialLocal).
	NetDial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Signal is one peer's connection to the lab's signalling server. Requests
// (Join) wait for their answer; every other message the server sends waits
// in an inbox for Next. It is safe for concurrent use.
type Signal struct {
	ws   *websocket.Conn
	conv lab.ConvID

	wmu sync.Mutex // one writer at a time (gorilla's rule)

	mu      sync.Mutex
	inbox   []p2p.Message
	waiters []*waiter
	ready   chan struct{} // signalled when the inbox grows
	err     error         // why the connection ended; nil while it runs
	done    chan struct{}
	name    string // the name the server gave at join
}

type waiter struct {
	match func(p2p.Message) bool
	ch    chan p2p.Message
}

// ErrSignalClosed is returned once the signalling connection is closed.
var ErrSignalClosed = errors.New("p2pclient: the signalling connection is closed")

// DialSignal connects to a signalling server's WebSocket URL
// ("ws://127.0.0.1:8188/signal").
func DialSignal(ctx context.Context, url string, opts SignalOptions) (*Signal, error) {
	timeout := opts.DialTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	d := websocket.Dialer{HandshakeTimeout: timeout}
	switch {
	case opts.NetDial != nil:
		d.NetDialContext = opts.NetDial
	case opts.Tap != nil:
		d.NetDialContext = opts.Tap.Dial
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ws, resp, err := d.DialContext(ctx, url, nil)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("p2pclient: signalling server %s refused the WebSocket: %s", url, resp.Status)
		}
		return nil, fmt.Errorf("p2pclient: signalling server %s: %w — is the lab's p2p server running?", url, err)
	}
	ws.SetReadLimit(maxSignal)
	s := &Signal{ws: ws, ready: make(chan struct{}, 1), done: make(chan struct{})}
	if c := lab.ConnConversation(ws.NetConn()); c != nil {
		s.conv = c.ID()
	}
	go s.read()
	return s, nil
}

// maxSignal bounds one signalling message (an SDP is a few KiB).
const maxSignal = 1 << 20

// Conversation is the signalling connection's conversation in the hub, 0 if
// it is not captured.
func (s *Signal) Conversation() lab.ConvID { return s.conv }

// Name is the peer's name in its room, once joined.
func (s *Signal) Name() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.name
}

func (s *Signal) read() {
	var err error
	for {
		var m p2p.Message
		if err = s.ws.ReadJSON(&m); err != nil {
			break
		}
		s.deliver(m)
	}
	if errors.Is(err, net.ErrClosed) || websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway) {
		err = ErrSignalClosed
	} else {
		err = fmt.Errorf("p2pclient: signalling connection lost: %w", err)
	}
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
	close(s.done)
}

// deliver hands m to the first waiter it matches, or to the inbox.
func (s *Signal) deliver(m p2p.Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, w := range s.waiters {
		if w.match(m) {
			s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
			w.ch <- m
			return
		}
	}
	if len(s.inbox) >= 1024 { // a peer not reading: drop the oldest
		s.inbox = s.inbox[1:]
	}
	s.inbox = append(s.inbox, m)
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

// Send sends m as it is.
func (s *Signal) Send(m p2p.Message) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if err := s.ws.WriteJSON(m); err != nil {
		return fmt.Errorf("p2pclient: send %s: %w", m.Type, err)
	}
	return nil
}

// request sends m and waits for the first message match accepts, or an
// error about m's type.
func (s *Signal) request(ctx context.Context, m p2p.Message, match func(p2p.Message) bool) (p2p.Message, error) {
	w := &waiter{ch: make(chan p2p.Message, 1), match: func(r p2p.Message) bool {
		return match(r) || r.Type == p2p.TypeError && r.About == m.Type
	}}
	s.mu.Lock()
	if s.err != nil {
		s.mu.Unlock()
		return p2p.Message{}, s.err
	}
	s.waiters = append(s.waiters, w)
	s.mu.Unlock()
	if err := s.Send(m); err != nil {
		s.drop(w)
		return p2p.Message{}, err
	}
	select {
	case r := <-w.ch:
		if r.Type == p2p.TypeError {
			return r, &Error{Message: r.Error, About: r.About}
		}
		return r, nil
	case <-s.done:
		s.drop(w)
		return p2p.Message{}, s.err
	case <-ctx.Done():
		s.drop(w)
		return p2p.Message{}, fmt.Errorf("p2pclient: no answer to %s: %w", m.Type, ctx.Err())
	}
}

func (s *Signal) drop(w *waiter) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, x := range s.waiters {
		if x == w {
			s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
			return
		}
	}
}

// Error is the signalling server's refusal of a message.
type Error struct {
	Message string // the server's words
	About   string // the type of the message refused
}

func (e *Error) Error() string { return "p2pclient: signalling server: " + e.Message }

// Join enters room as name ("" lets the server choose one), creating the room
// if create is set, and returns the room's other peers. A room that does not
// exist is an *Error.
func (s *Signal) Join(ctx context.Context, room, name string, create bool) ([]string, error) {
	r, err := s.request(ctx, p2p.Message{Type: p2p.TypeJoin, Room: room, Peer: name, Create: create},
		func(r p2p.Message) bool { return r.Type == p2p.TypeJoined })
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.name = r.Peer
	s.mu.Unlock()
	return r.Peers, nil
}

// Next returns the next message no request waited for (an offer, a
// peer-joined, an error about a message sent with Send), waiting for one.
func (s *Signal) Next(ctx context.Context) (p2p.Message, error) {
	for {
		s.mu.Lock()
		if len(s.inbox) > 0 {
			m := s.inbox[0]
			s.inbox = s.inbox[1:]
			s.mu.Unlock()
			return m, nil
		}
		err := s.err
		s.mu.Unlock()
		if err != nil {
			return p2p.Message{}, err
		}
		select {
		case <-s.ready:
		case <-s.done:
		case <-ctx.Done():
			return p2p.Message{}, ctx.Err()
		}
	}
}

// Done is closed when the connection ends; Err then says why.
func (s *Signal) Done() <-chan struct{} { return s.done }

// Err is why the connection ended, nil while it runs.
func (s *Signal) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close leaves the room and closes the connection.
func (s *Signal) Close() error {
	s.Send(p2p.Message{Type: p2p.TypeLeave})
	s.wmu.Lock()
	s.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	s.wmu.Unlock()
	select {
	case <-s.done:
	case <-time.After(2 * time.Second):
	}
	return s.ws.Close()
}
