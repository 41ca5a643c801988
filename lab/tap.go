package lab

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Tap captures the connections of one protocol into a Hub. A nil *Tap is valid and
// captures nothing: its methods return what they are given, so a server or client
// can always call opts.Tap.Listener(l).
type Tap struct {
	hub   *Hub
	proto *Protocol
}

// Tap returns a tap that records p's connections in h.
func (h *Hub) Tap(p *Protocol) *Tap { return &Tap{hub: h, proto: p} }

// Hub returns the tap's hub (nil for a nil tap).
func (t *Tap) Hub() *Hub {
	if t == nil {
		return nil
	}
	return t.hub
}

// Protocol returns the tapped protocol (nil for a nil tap).
func (t *Tap) Protocol() *Protocol {
	if t == nil {
		return nil
	}
	return t.proto
}

// WithCaptureLimit returns a tap like t whose protocol keeps n bytes of each
// direction of a conversation (Protocol.CaptureLimit; 0 keeps everything): a
// server's own setting. It returns t itself when that is t's limit already,
// and nil for a nil tap.
func (t *Tap) WithCaptureLimit(n int64) *Tap {
	if t == nil || t.proto.CaptureLimit == n {
		return t
	}
	own := *t.proto
	own.CaptureLimit = n
	return t.hub.Tap(&own)
}

// Listener wraps l so that every accepted connection is tapped on the server side.
func (t *Tap) Listener(l net.Listener) net.Listener {
	if t == nil {
		return l
	}
	t.hub.listen(l.Addr(), t.proto)
	return &tapListener{Listener: l, t: t}
}

type tapListener struct {
	net.Listener
	t *Tap
}

func (l *tapListener) Close() error {
	l.t.hub.unlisten(l.Addr(), l.t.proto)
	return l.Listener.Close()
}

func (l *tapListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return l.t.wrap(c, SideServer, 0), nil
}

// Conn taps an established connection from side. For a client, prefer Dial, which
// also measures how long the connect (the TCP handshake) took.
func (t *Tap) Conn(c net.Conn, side Side) net.Conn {
	if t == nil {
		return c
	}
	return t.wrap(c, side, 0)
}

// Dial connects like net.Dialer.DialContext and taps the connection on the client side.
func (t *Tap) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	t0 := time.Now()
	c, err := d.DialContext(ctx, network, addr)
	if err != nil || t == nil {
		return c, err
	}
	return t.wrap(c, SideClient, time.Since(t0)), nil
}

// ConnConversation returns the conversation a tapped connection belongs to, or nil.
// It looks through connections that wrap the tapped one: an Unwrap() net.Conn
// method, or TLS's NetConn() net.Conn (a *tls.Conn over the tapped socket).
func ConnConversation(c net.Conn) *Conversation {
	for c != nil {
		switch w := c.(type) {
		case *tapConn:
			return w.conv
		case interface{ Unwrap() net.Conn }:
			c = w.Unwrap()
		case interface{ NetConn() net.Conn }:
			c = w.NetConn()
		default:
			return nil
		}
	}
	return nil
}

func (t *Tap) wrap(c net.Conn, side Side, connect time.Duration) net.Conn {
	local, remote := c.LocalAddr(), c.RemoteAddr()
	client, server := local, remote
	if side == SideServer {
		client, server = remote, local
	}
	_, isUDP := c.(*net.UDPConn)
	info := OpenInfo{At: time.Now(), Connect: connect}
	if !isUDP {
		info.Kernel = ReadTCPInfo(c)
	}
	conv := t.hub.attach(t.proto, client, server, side, isUDP, info)
	if !isUDP {
		conv.mu.Lock()
		conv.pairs().kconn[side] = c
		conv.mu.Unlock()
	}
	tc := &tapConn{Conn: c, conv: conv, side: side, datagram: isUDP}
	tc.in = newInbound(c, tc.recordInbound)
	return tc
}

// tapConn is a tapped net.Conn. Like the connection it wraps, it supports one
// concurrent reader and one concurrent writer.
type tapConn struct {
	net.Conn
	conv     *Conversation
	side     Side
	datagram bool
	closed   atomic.Bool
	aborted  atomic.Bool
	closeMu  sync.Mutex
	in       *inbound // nil: inbound bytes are recorded as the application reads them
	// What the program's reads learnt of the connection's end, for a close that
	// the kernel's answers leave in doubt (tapclose.go): a read under way, and
	// whether one met end-of-file or a reset.
	reading            atomic.Int32
	lookAt             time.Time // a write's time while its look records what arrived (guarded by in.mu)
	readEOF, readReset atomic.Bool
}

func (c *tapConn) peer() Side {
	if c.side == SideServer {
		return SideClient
	}
	return SideServer
}

func (c *tapConn) Read(b []byte) (int, error) {
	c.reading.Add(1)
	defer c.reading.Add(-1)
	if c.in != nil {
		n, err := c.in.read(b)
		if err != nil {
			c.readErr(err)
		}
		return n, err
	}
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.recordInbound(b[:n])
	}
	if err != nil {
		c.readErr(err)
	}
	return n, err
}

// recordInbound records bytes that arrived from the peer: now, or for bytes a
// write's look found, at the write's time.
func (c *tapConn) recordInbound(b []byte) {
	at := c.lookAt
	if at.IsZero() {
		at = time.Now()
	}
	c.conv.data(c.side, c.side.Inbound(), b, at)
}

// catchUp records what arrived before what the tap records next (a write, a
// close), where the system lets the tap look (inbound).
func (c *tapConn) catchUp() {
	if c.in != nil {
		c.in.mu.Lock()
		defer c.in.mu.Unlock() // a fault in recording must not leave it locked for Close
		c.in.catchUp()
	}
}

// lookAndRecord records what arrived unread, then b, about to be written,
// at one time taken before the look: bytes the look finds came before the
// write; a segment arriving after the look crosses the write on the wire,
// later than it by this clock too.
func (c *tapConn) lookAndRecord(b []byte) {
	c.in.mu.Lock()
	defer c.in.mu.Unlock()
	at := time.Now()
	c.lookAt = at
	c.in.catchUp()
	c.lookAt = time.Time{}
	c.conv.data(c.side, c.side.Outbound(), b, at)
}

func (c *tapConn) readErr(err error) {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		// The commonest: an HTTP server's deadline in the past ends its
		// background read after every request. Neither an end nor a fault.
		return
	}
	switch {
	case errors.Is(err, io.EOF):
		c.readEOF.Store(true)
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE):
		c.readReset.Store(true)
	}
	switch {
	case c.closed.Load() || errors.Is(err, net.ErrClosed):
	case c.datagram && errors.Is(err, syscall.ECONNREFUSED):
		c.conv.fault(c.side, KindError, "ICMP port unreachable: nothing listens on that port (UDP has no handshake to say so sooner)")
	case c.datagram:
		c.conv.fault(c.side, KindError, err.Error())
	case errors.Is(err, io.EOF):
		c.conv.closeStep(c.side, c.peer(), HowFIN, "")
	case errors.Is(err, syscall.ECONNRESET):
		c.conv.closeStep(c.side, c.peer(), HowRST, "connection reset by peer")
	case errors.Is(err, syscall.EPIPE):
		// Linux reports a reset that arrived after the peer's FIN as EPIPE.
		c.conv.closeStep(c.side, c.peer(), HowRST, "broken pipe: a reset arrived after the peer's FIN")
	default:
		c.conv.fault(c.side, KindError, err.Error())
	}
}

func (c *tapConn) Write(b []byte) (int, error) {
	// Record before writing: the peer may answer before Write returns, and the
	// request must come before its answer. What arrived before it, read or not,
	// comes first.
	if len(b) > 0 {
		// Past the capture limit no arrival is kept, and none needs a look
		// to come first: they are counted as they are read.
		if c.in != nil && !c.conv.unkept[c.side].Load() {
			c.lookAndRecord(b)
		} else {
			c.conv.data(c.side, c.side.Outbound(), b, time.Now())
		}
	}
	var n int
	var err error
	if c.in != nil && len(b) > 0 {
		n, err = c.in.write(b)
	} else {
		n, err = c.Conn.Write(b)
	}
	if err != nil && !c.closed.Load() {
		switch {
		case !c.datagram && (errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET)):
			c.conv.closeStep(c.side, c.peer(), HowRST, "write failed: the peer reset the connection")
		case errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, net.ErrClosed):
		default:
			c.conv.fault(c.side, KindError, "write: "+err.Error())
		}
		if n < len(b) {
			c.conv.fault(c.side, KindError, "only part of the bytes recorded above was sent")
		}
	}
	return n, err
}

// Close closes the connection. What that sends is recorded as the kernel decides
// it (closeOutcomeOf): a FIN, a RST (after Abort, or with bytes unread), nothing
// if a reset already ended the connection, or, where the system does not say,
// that the socket closed.
func (c *tapConn) Close() error {
	c.closeMu.Lock()
	defer c.closeMu.Unlock()
	if c.closed.Swap(true) {
		return c.Conn.Close()
	}
	if !c.datagram {
		// Bytes still unread arrived all the same (and make Linux answer the
		// close with a reset): they come before the close.
		c.catchUp()
		c.closeSteps()
	}
	err := c.Conn.Close()
	c.conv.localClosed(c.side)
	return err
}

// CloseWrite half-closes a TCP connection: a FIN, while reading goes on. A
// half-close that fails (a reset already ended the connection) sent nothing.
func (c *tapConn) CloseWrite() error {
	cw, ok := c.Conn.(interface{ CloseWrite() error })
	if !ok {
		return errors.New("lab: connection cannot half-close")
	}
	c.catchUp() // what arrived before the FIN comes first
	err := cw.CloseWrite()
	if err == nil && !c.datagram {
		c.conv.closeStep(c.side, c.side, HowFIN, "half-close: no more data from this side")
	}
	return err
}

// Abort closes the connection with a reset (RST) instead of a FIN.
func (c *tapConn) Abort() error {
	c.aborted.Store(true)
	if tc, ok := c.Conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	return c.Close()
}

// Unwrap returns the tapped connection.
func (c *tapConn) Unwrap() net.Conn { return c.Conn }

// Abort closes c with a TCP reset (RST) rather than a FIN, tapped or not.
func Abort(c net.Conn) error {
	if a, ok := c.(interface{ Abort() error }); ok {
		return a.Abort()
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	return c.Close()
}
