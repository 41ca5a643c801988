package wsserver

import (
	"sync"
	"time"

	gws "github.com/gorilla/websocket"
)

// room is the chat: every message goes to every member. A member's messages wait
// in its own queue, written by its own goroutine, so a slow member is dropped
// rather than stalling the others (the pattern of gorilla's chat example).
type room struct {
	h       *handler
	mu      sync.Mutex
	members map[*member]struct{}
	onJoin  func() // a test's hook, called once a member is in the room
}

type member struct {
	c    *gws.Conn
	send chan message // closed when the member leaves or is dropped
	slow bool         // dropped for falling behind; guarded by room.mu
}

type message struct {
	typ  int
	data []byte
}

func newRoom(h *handler) *room { return &room{h: h, members: make(map[*member]struct{})} }

// serve reads c's messages into the room until c ends.
func (r *room) serve(c *gws.Conn) {
	m := &member{c: c, send: make(chan message, r.h.opts.sendQueue())}
	r.mu.Lock()
	r.members[m] = struct{}{}
	onJoin := r.onJoin
	r.mu.Unlock()
	if onJoin != nil {
		onJoin()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.write(m)
	}()
	for {
		c.SetReadDeadline(time.Now().Add(2 * r.h.opts.ping()))
		typ, data, err := c.ReadMessage()
		if err != nil {
			r.h.readFailed(c, err)
			break
		}
		r.broadcast(message{typ, data})
	}
	r.leave(m)
	<-done
}

// leave takes m out of the room, ending its writer.
func (r *room) leave(m *member) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.members[m]; ok {
		delete(r.members, m)
		close(m.send)
	}
}

// broadcast queues msg for every member; one whose queue is full is dropped.
func (r *room) broadcast(msg message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for m := range r.members {
		select {
		case m.send <- msg:
		default:
			delete(r.members, m)
			m.slow = true
			close(m.send)
			r.h.opts.logf("wsserver: chat client %s fell %d messages behind: dropped", m.c.RemoteAddr(), cap(m.send))
		}
	}
}

// write sends m's queued messages and pings, and says goodbye when m is dropped.
func (r *room) write(m *member) {
	t := time.NewTicker(r.h.opts.ping())
	defer t.Stop()
	wt := r.h.opts.writeTimeout()
	for {
		select {
		case msg, ok := <-m.send:
			if !ok {
				// Dropped or left: a slow member is told why; either way the
				// connection ends, so its reader does too.
				r.mu.Lock()
				slow := m.slow
				r.mu.Unlock()
				if slow {
					m.c.WriteControl(gws.CloseMessage, gws.FormatCloseMessage(gws.ClosePolicyViolation, "too slow: fell behind the room"), time.Now().Add(wt))
				}
				m.c.NetConn().Close()
				return
			}
			m.c.SetWriteDeadline(time.Now().Add(wt))
			if err := m.c.WriteMessage(msg.typ, msg.data); err != nil {
				r.leave(m)
				m.c.NetConn().Close()
				return
			}
		case <-t.C:
			if err := m.c.WriteControl(gws.PingMessage, nil, time.Now().Add(wt)); err != nil {
				r.leave(m)
				m.c.NetConn().Close()
				return
			}
		}
	}
}
