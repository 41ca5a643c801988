// Package udpclient is the lab's UDP client (RFC 768): send datagrams to a server
// and watch the answers. It uses a connected UDP socket, so its local address is
// concrete from the start and the system reports an ICMP "port unreachable" from
// the server's host as an error (UDP itself has no handshake to say so).
package udpclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"syscall"

	"github.com/protocollab/protolab/lab"
)

// ErrNoListener reports that nothing listens on the server's port: the server's host
// answered a datagram with ICMP port unreachable.
var ErrNoListener = errors.New("udpclient: nothing is listening on that port")

// ErrClosed is returned by Send after Close.
var ErrClosed = errors.New("udpclient: the socket is closed")

// UnreachableError is an ICMP port unreachable, explained for a person. It matches
// both ErrNoListener and syscall.ECONNREFUSED with errors.Is.
type UnreachableError struct {
	Addr string // the server address
	Err  error  // the system's error (ECONNREFUSED)
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("udpclient: nothing is listening on %s — the other host answered ICMP port unreachable; start the server first or check the port", e.Addr)
}

// Unwrap lets errors.Is see ErrNoListener and the system error.
func (e *UnreachableError) Unwrap() []error { return []error{ErrNoListener, e.Err} }

// Options configures a client socket.
type Options struct {
	// Tap, if non-nil, captures the datagrams on the client side. Nil captures nothing.
	Tap *lab.Tap
	// OnData, if non-nil, is called with each datagram received, in order, from the
	// socket's reader goroutine. The slice is the callback's to keep.
	OnData func(b []byte)
	// OnError, if non-nil, is called from the reader goroutine when receiving fails;
	// an *UnreachableError when nothing listens on the server's port. Receiving goes
	// on after an unreachable error; after any other error it stops.
	OnError func(err error)
}

// Conn is a UDP socket connected to one server. Its methods are safe for
// concurrent use; datagrams arrive through Options.OnData.
type Conn struct {
	conn net.Conn
	addr string
	opts Options
	done chan struct{}

	mu     sync.Mutex
	closed bool
}

// Dial opens a UDP socket connected to addr ("127.0.0.1:7007") and starts
// receiving. No datagram is sent: whether anything listens shows only on the first
// Send.
func Dial(ctx context.Context, addr string, opts Options) (*Conn, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "udp", addr)
	if err != nil {
		return nil, fmt.Errorf("udpclient: cannot open a socket to %s: %w", addr, err)
	}
	c := &Conn{conn: opts.Tap.Conn(nc, lab.SideClient), addr: addr, opts: opts, done: make(chan struct{})}
	go c.read()
	return c, nil
}

func (c *Conn) read() {
	defer close(c.done)
	buf := make([]byte, 64<<10)
	for {
		n, err := c.conn.Read(buf)
		if err == nil {
			if c.opts.OnData != nil {
				c.opts.OnData(append([]byte(nil), buf[:n]...))
			}
			continue
		}
		if c.isClosed() || errors.Is(err, net.ErrClosed) {
			return
		}
		unreachable := errors.Is(err, syscall.ECONNREFUSED)
		if c.opts.OnError != nil {
			c.opts.OnError(c.explain(err, "receive"))
		}
		if !unreachable {
			return
		}
	}
}

func (c *Conn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// explain turns a socket error into one a person can act on.
func (c *Conn) explain(err error, op string) error {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return &UnreachableError{Addr: c.addr, Err: err}
	}
	return fmt.Errorf("udpclient: %s: %w", op, err)
}

// Send sends b as one datagram. An error from an earlier datagram's ICMP port
// unreachable may surface here as an *UnreachableError.
func (c *Conn) Send(b []byte) error {
	if c.isClosed() {
		return ErrClosed
	}
	if _, err := c.conn.Write(b); err != nil {
		if errors.Is(err, net.ErrClosed) {
			return ErrClosed
		}
		return c.explain(err, "send")
	}
	return nil
}

// Close closes the socket and waits for the reader to stop. Closing twice does nothing.
func (c *Conn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	err := c.conn.Close()
	<-c.done
	return err
}

// Done is closed when the reader has stopped (after Close or a receive failure).
func (c *Conn) Done() <-chan struct{} { return c.done }

// LocalAddr returns this socket's address ("127.0.0.1:53912").
func (c *Conn) LocalAddr() net.Addr { return c.conn.LocalAddr() }

// RemoteAddr returns the server's address.
func (c *Conn) RemoteAddr() net.Addr { return c.conn.RemoteAddr() }

// Conversation returns the lab conversation (flow) the socket is recorded in, or 0
// when it is not tapped.
func (c *Conn) Conversation() lab.ConvID {
	if conv := lab.ConnConversation(c.conn); conv != nil {
		return conv.ID()
	}
	return 0
}
