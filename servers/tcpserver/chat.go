package tcpserver

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/protocollab/protolab/servers/internal/bounded"
)

// room is the chat: the clients that receive every line.
//
// Fan-out never blocks: each member has its own queue and writer goroutine, and a
// member whose queue grows past MaxQueueBytes, or whose write does not finish
// within WriteTimeout, is dropped (like gorilla/websocket's chat hub).
type room struct {
	srv *Server

	mu      sync.RWMutex
	members map[*member]struct{}
}

func newRoom(s *Server) *room {
	return &room{srv: s, members: make(map[*member]struct{})}
}

// member is one chat client's outgoing queue.
type member struct {
	ss   *session
	wake chan struct{} // signalled (coalesced) when lines are queued or the member leaves

	mu      sync.Mutex
	pending [][]byte // lines to write, each shared with the other members: read-only
	bytes   int
	leaving bool // no more lines: write what is queued, then stop
	slow    bool // dropped: stop at once
}

func (r *room) maxLine() int {
	if n := r.srv.MaxLineBytes; n > 0 {
		return n
	}
	return DefaultMaxLineBytes
}

func (r *room) maxQueue() int {
	if n := r.srv.MaxQueueBytes; n > 0 {
		return n
	}
	return DefaultMaxQueueBytes
}

func (r *room) writeTimeout() time.Duration {
	if d := r.srv.WriteTimeout; d > 0 {
		return d
	}
	return DefaultWriteTimeout
}

// serve runs one chat client: it joins the room, reads lines and broadcasts them
// until the client closes, then leaves after writing what is queued for it.
func (r *room) serve(ss *session) {
	m := &member{ss: ss, wake: make(chan struct{}, 1)}
	r.mu.Lock()
	r.members[m] = struct{}{}
	r.mu.Unlock()

	done := make(chan struct{})
	go func() {
		defer close(done)
		r.write(m)
	}()

	r.read(m)
	r.leave(m)
	<-done
}

// read broadcasts each line the client sends. A final line without a newline is
// sent with one.
func (r *room) read(m *member) {
	lines := bounded.NewLines(m.ss.conn, r.maxLine())
	for {
		line, err := lines.ReadLine()
		if errors.Is(err, bounded.ErrTooLong) {
			note := fmt.Sprintf("tcpserver: line longer than %d bytes; closing the connection\r\n", r.maxLine())
			r.srv.logf("tcpserver: %v sent a line longer than %d bytes; disconnected", m.ss.conn.RemoteAddr(), r.maxLine())
			// Out of the room first: the note is the last line the client gets,
			// not followed by what others say while the connection closes.
			r.remove(m)
			m.enqueue([]byte(note), r.maxQueue())
			return
		}
		if len(line) > 0 {
			msg := make([]byte, len(line), len(line)+1)
			copy(msg, line)
			if msg[len(msg)-1] != '\n' {
				msg = append(msg, '\n')
			}
			r.broadcast(msg)
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				// A reset or a local close: nothing more will reach this client.
				m.drop()
			}
			return
		}
	}
}

// broadcast queues line for every member, dropping those too far behind.
func (r *room) broadcast(line []byte) {
	var slow []*member
	max := r.maxQueue()
	r.mu.RLock()
	for m := range r.members {
		if !m.enqueue(line, max) {
			slow = append(slow, m)
		}
	}
	r.mu.RUnlock()
	for _, m := range slow {
		r.srv.logf("tcpserver: dropped %v: more than %d bytes waiting to be read", m.ss.conn.RemoteAddr(), max)
		r.remove(m)
		m.drop()
	}
}

// enqueue adds line to m's queue; false when that would exceed max bytes.
func (m *member) enqueue(line []byte, max int) bool {
	m.mu.Lock()
	if m.slow || m.leaving {
		m.mu.Unlock()
		return true
	}
	if m.bytes+len(line) > max {
		m.mu.Unlock()
		return false
	}
	m.pending = append(m.pending, line)
	m.bytes += len(line)
	m.mu.Unlock()
	m.signal()
	return true
}

func (m *member) signal() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// drop stops m at once and closes its connection, which also ends its reader.
func (m *member) drop() {
	m.mu.Lock()
	m.slow = true
	m.pending = nil
	m.mu.Unlock()
	m.signal()
	m.ss.close()
}

func (r *room) remove(m *member) {
	r.mu.Lock()
	delete(r.members, m)
	r.mu.Unlock()
}

// leave takes m out of the room; its writer finishes what is queued.
func (r *room) leave(m *member) {
	r.remove(m)
	m.mu.Lock()
	m.leaving = true
	m.mu.Unlock()
	m.signal()
}

// write sends m's queued lines, many per write, until m leaves or is dropped.
func (r *room) write(m *member) {
	var buf []byte
	for range m.wake {
		m.mu.Lock()
		lines, slow, leaving := m.pending, m.slow, m.leaving
		m.pending, m.bytes = nil, 0
		m.mu.Unlock()
		if slow {
			return
		}
		buf = buf[:0]
		for _, l := range lines {
			buf = append(buf, l...)
		}
		if len(buf) > 0 {
			m.ss.conn.SetWriteDeadline(time.Now().Add(r.writeTimeout()))
			if _, err := m.ss.conn.Write(buf); err != nil {
				if errors.Is(err, os.ErrDeadlineExceeded) {
					r.srv.logf("tcpserver: dropped %v: a write took longer than %v", m.ss.conn.RemoteAddr(), r.writeTimeout())
				}
				r.remove(m)
				m.drop()
				return
			}
		}
		if leaving {
			// Nothing is queued after leave, so the queue is now written out.
			return
		}
		if cap(buf) > 1<<20 {
			buf = nil
		}
	}
}
