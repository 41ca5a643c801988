// Package tcpclient is the lab's plain TCP client (RFC 9293): what a person does in
// the client pane of the TCP workbench. Connect, send bytes, watch what comes back,
// and end the connection either gracefully (FIN) or abruptly (RST), so that both
// teardowns can be seen in the lab.
package tcpclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/protocollab/protolab/lab"
)

// DefaultCloseWait is how long Close waits for the server's FIN when Options.CloseWait is zero.
const DefaultCloseWait = 2 * time.Second

// ErrClosed is returned by Send after this side closed the connection.
var ErrClosed = errors.New("tcpclient: the connection is closed on this side")

// Options configures a connection.
type Options struct {
	// Tap, if non-nil, captures the connection on the client side, including how
	// long the connect (the three-way handshake) took. Nil captures nothing.
	Tap *lab.Tap
	// OnData, if non-nil, is called with the bytes of each read, in order, from the
	// connection's reader goroutine. The slice is the callback's to keep. It must not
	// call Close or Abort itself (they wait for the reader); start a goroutine to.
	OnData func(b []byte)
	// OnClose, if non-nil, is called once from the reader goroutine when nothing more
	// will arrive: err is nil after the server's FIN or this side's Close or Abort,
	// and says what happened otherwise (a reset by the server, a network failure).
	// The same rule as OnData applies to calling Close or Abort.
	OnClose func(err error)
	// CloseWait bounds how long Close waits for the server's FIN after sending its
	// own. Zero means DefaultCloseWait.
	CloseWait time.Duration
}

// State is where a connection is in its life, as this side sees it.
type State int32

// The states.
const (
	StateOpen       State = iota // both directions open
	StatePeerClosed              // the server sent FIN: nothing more arrives, sending still works
	StateClosing                 // this side sent FIN and waits for the server's
	StateClosed                  // closed (gracefully, aborted, or failed)
)

var stateNames = [...]string{"open", "peer closed", "closing", "closed"}

func (s State) String() string {
	if s >= 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", int32(s))
}

// Conn is one client connection. Send, CloseWrite, Close, Abort and the accessors
// are safe for concurrent use; data arrives through Options.OnData.
type Conn struct {
	conn net.Conn
	opts Options
	done chan struct{} // closed when the reader ends

	mu        sync.Mutex
	state     State
	readErr   error // why the reader ended (nil for FIN or a local close)
	sendMu    sync.Mutex
	closeMu   sync.Mutex // serializes Close and Abort
	peerFIN   bool
	sentFIN   bool
	localDone bool
}

// Dial connects to addr ("127.0.0.1:7007") and starts reading. When nothing
// listens there, the error says so (and errors.Is(err, syscall.ECONNREFUSED)).
func Dial(ctx context.Context, addr string, opts Options) (*Conn, error) {
	nc, err := opts.Tap.Dial(ctx, "tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("tcpclient: nothing is listening on %s (the connection was refused) — start the server first or check the port: %w", addr, err)
		}
		return nil, fmt.Errorf("tcpclient: cannot connect to %s: %w", addr, err)
	}
	c := &Conn{conn: nc, opts: opts, done: make(chan struct{})}
	go c.read()
	return c, nil
}

func (c *Conn) read() {
	defer close(c.done)
	buf := make([]byte, 32<<10)
	for {
		n, err := c.conn.Read(buf)
		if n > 0 && c.opts.OnData != nil {
			c.opts.OnData(append([]byte(nil), buf[:n]...))
		}
		if err == nil {
			continue
		}
		c.mu.Lock()
		switch {
		case errors.Is(err, io.EOF):
			c.peerFIN = true
			err = nil
		case c.localDone || errors.Is(err, net.ErrClosed):
			err = nil
		case errors.Is(err, syscall.ECONNRESET):
			err = fmt.Errorf("tcpclient: the server reset the connection (RST): %w", err)
		default:
			err = fmt.Errorf("tcpclient: read: %w", err)
		}
		c.readErr = err
		c.updateLocked()
		c.mu.Unlock()
		if c.opts.OnClose != nil {
			c.opts.OnClose(err)
		}
		return
	}
}

// updateLocked derives the state. c.mu must be held.
func (c *Conn) updateLocked() {
	switch {
	case c.localDone || c.readErr != nil || c.peerFIN && c.sentFIN:
		c.state = StateClosed
	case c.sentFIN:
		c.state = StateClosing
	case c.peerFIN:
		c.state = StatePeerClosed
	default:
		c.state = StateOpen
	}
}

// Send writes b to the server. It fails with ErrClosed after CloseWrite, Close or
// Abort, and explains a connection the server reset.
func (c *Conn) Send(b []byte) error {
	c.mu.Lock()
	closed := c.sentFIN || c.localDone
	c.mu.Unlock()
	if closed {
		return ErrClosed
	}
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	if _, err := c.conn.Write(b); err != nil {
		switch {
		case errors.Is(err, net.ErrClosed):
			return ErrClosed
		case errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET):
			return fmt.Errorf("tcpclient: the server has closed the connection (it answered with RST): %w", err)
		}
		return fmt.Errorf("tcpclient: send: %w", err)
	}
	return nil
}

// CloseWrite sends a FIN (a half-close): the server learns that nothing more
// comes from this side, while its data still arrives.
func (c *Conn) CloseWrite() error {
	c.mu.Lock()
	if c.sentFIN || c.localDone {
		c.mu.Unlock()
		return nil
	}
	c.sentFIN = true
	c.updateLocked()
	c.mu.Unlock()
	cw, ok := c.conn.(interface{ CloseWrite() error })
	if !ok {
		return errors.New("tcpclient: this connection cannot half-close")
	}
	c.sendMu.Lock() // let a Send in progress finish first
	defer c.sendMu.Unlock()
	if err := cw.CloseWrite(); err != nil && !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("tcpclient: close: %w", err)
	}
	return nil
}

// Close ends the connection gracefully: it sends a FIN, waits up to CloseWait for
// the server's FIN (its remaining data still reaches OnData), then closes the socket.
// Closing a closed connection does nothing.
func (c *Conn) Close() error {
	c.closeMu.Lock()
	defer c.closeMu.Unlock()
	c.mu.Lock()
	if c.localDone {
		c.mu.Unlock()
		return nil
	}
	dead := c.readErr != nil // reset or failed: no FIN to exchange
	c.mu.Unlock()
	if dead {
		return c.finish(c.conn.Close, nil)
	}
	err := c.CloseWrite()
	if err == nil {
		wait := c.opts.CloseWait
		if wait <= 0 {
			wait = DefaultCloseWait
		}
		t := time.NewTimer(wait)
		select {
		case <-c.done:
		case <-t.C:
		}
		t.Stop()
	}
	return c.finish(c.conn.Close, err)
}

// Abort ends the connection at once with a reset (RST) instead of a FIN; data not
// yet delivered is discarded. Aborting a closed connection does nothing.
func (c *Conn) Abort() error {
	c.closeMu.Lock()
	defer c.closeMu.Unlock()
	c.mu.Lock()
	done := c.localDone
	c.mu.Unlock()
	if done {
		return nil
	}
	return c.finish(func() error { return lab.Abort(c.conn) }, nil)
}

// finish closes the socket with closeFn and waits for the reader.
func (c *Conn) finish(closeFn func() error, err error) error {
	c.mu.Lock()
	c.localDone = true
	c.updateLocked()
	c.mu.Unlock()
	if cerr := closeFn(); cerr != nil && !errors.Is(cerr, net.ErrClosed) && err == nil {
		err = fmt.Errorf("tcpclient: close: %w", cerr)
	}
	<-c.done
	return err
}

// State returns where the connection is in its life.
func (c *Conn) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// Done is closed when nothing more will arrive (after OnClose returns).
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err returns why reading ended: nil while open, after the server's FIN, or after
// this side's Close or Abort.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.readErr
}

// LocalAddr returns this side's address ("127.0.0.1:53912").
func (c *Conn) LocalAddr() net.Addr { return c.conn.LocalAddr() }

// RemoteAddr returns the server's address.
func (c *Conn) RemoteAddr() net.Addr { return c.conn.RemoteAddr() }

// Conversation returns the lab conversation the connection is recorded in, or 0
// when it is not tapped.
func (c *Conn) Conversation() lab.ConvID {
	if conv := lab.ConnConversation(c.conn); conv != nil {
		return conv.ID()
	}
	return 0
}
