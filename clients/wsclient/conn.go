// Package wsclient is the lab's WebSocket client (RFC 6455), built on
// gorilla/websocket: what a person does in the client pane of the WebSocket
// workbench. Dial a ws:// (or wss://) URL, send text and binary messages and
// pings, watch what comes back (messages, pongs, the peer's close frame), and
// close with a status code and reason.
//
// The tap sits below the WebSocket (gorilla's Dialer.NetDialContext is the tapped
// dial), so the lab sees the upgrade request, the 101 and every frame as bytes.
package wsclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	gws "github.com/gorilla/websocket"

	"github.com/protocollab/protolab/clients/labdial"
	"github.com/protocollab/protolab/lab"
)

// DefaultCloseWait is how long Close waits for the peer's close frame when
// Options.CloseWait is zero.
const DefaultCloseWait = 2 * time.Second

// ErrClosed is returned by the send methods after Close.
var ErrClosed = errors.New("wsclient: the WebSocket is closed")

// Options configures a connection. The zero value dials untapped.
type Options struct {
	// Tap, if non-nil, captures the connection on the client side. Ignored when
	// Dialer is set (the Dialer's own Tap captures). Nil captures nothing.
	Tap *lab.Tap
	// Dialer, if non-nil, dials the TCP connection: it resolves lab names through
	// the lab's DNS server and links the connection under the lookup.
	Dialer *labdial.Dialer
	// Subprotocols are offered in Sec-WebSocket-Protocol, most wanted first.
	Subprotocols []string
	// Header holds extra request headers (Origin, a cookie). Captured bytes
	// include them.
	Header http.Header
	// RootCAs verifies a wss:// server; nil uses the system's roots.
	RootCAs *x509.CertPool
	// KeyLogWriter, if non-nil, receives wss:// TLS secrets (the lab's key log),
	// so the lab can read the frames inside TLS.
	KeyLogWriter interface{ Write([]byte) (int, error) }
	// CloseWait bounds how long Close waits for the peer's close frame. Zero means
	// DefaultCloseWait.
	CloseWait time.Duration
	// HandshakeTimeout bounds the opening handshake. Zero means 10 seconds.
	HandshakeTimeout time.Duration
}

// Kind says what a received Message is.
type Kind string

// The kinds of Message.
const (
	KindText   Kind = "text"
	KindBinary Kind = "binary"
	KindPing   Kind = "ping" // answered with a pong automatically
	KindPong   Kind = "pong"
	KindClose  Kind = "close" // the peer's close frame: Code and Reason
)

// Message is one thing received from the server.
type Message struct {
	Kind   Kind
	Data   []byte // the payload (text, binary, ping and pong)
	Code   int    // close status code (KindClose); 1005 when the frame had none
	Reason string // close reason (KindClose)
	At     time.Time
}

// Conn is one WebSocket. The send methods and Close are safe for concurrent use;
// received messages arrive on Receive.
type Conn struct {
	ws       *gws.Conn
	opts     Options
	conv     lab.ConvID
	recv     chan Message
	done     chan struct{} // closed when the reader ends
	peerDone chan struct{} // closed when the peer's close frame arrived
	quit     chan struct{} // closed by Close: nothing more is delivered

	writeMu  sync.Mutex
	mu       sync.Mutex
	closed   bool
	peerSeen bool
	readErr  error
}

// Dial opens a WebSocket to url ("ws://127.0.0.1:8081/ws/echo") and starts reading.
// A refused handshake's error says the HTTP status the server answered.
func Dial(ctx context.Context, url string, opts Options) (*Conn, error) {
	var nc net.Conn
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := labdial.Dial(ctx, opts.Dialer, opts.Tap, network, addr)
		nc = c
		return c, err
	}
	d := gws.Dialer{
		NetDialContext:   dial,
		Subprotocols:     opts.Subprotocols,
		HandshakeTimeout: opts.HandshakeTimeout,
	}
	if d.HandshakeTimeout == 0 {
		d.HandshakeTimeout = 10 * time.Second
	}
	if opts.RootCAs != nil || opts.KeyLogWriter != nil {
		d.TLSClientConfig = &tls.Config{RootCAs: opts.RootCAs, KeyLogWriter: opts.KeyLogWriter}
	}
	ws, resp, err := d.DialContext(ctx, url, opts.Header)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("wsclient: the server refused the WebSocket at %s: %s: %w", url, resp.Status, err)
		}
		return nil, fmt.Errorf("wsclient: cannot open a WebSocket to %s: %w", url, err)
	}
	c := &Conn{ws: ws, opts: opts, recv: make(chan Message, 64), done: make(chan struct{}), peerDone: make(chan struct{}), quit: make(chan struct{})}
	if conv := lab.ConnConversation(nc); conv != nil {
		c.conv = conv.ID()
	}
	ws.SetPingHandler(func(data string) error {
		c.deliver(Message{Kind: KindPing, Data: []byte(data), At: time.Now()})
		err := ws.WriteControl(gws.PongMessage, []byte(data), time.Now().Add(5*time.Second))
		if errors.Is(err, gws.ErrCloseSent) {
			return nil
		}
		return err
	})
	ws.SetPongHandler(func(data string) error {
		c.deliver(Message{Kind: KindPong, Data: []byte(data), At: time.Now()})
		return nil
	})
	ws.SetCloseHandler(func(code int, reason string) error {
		c.deliver(Message{Kind: KindClose, Code: code, Reason: reason, At: time.Now()})
		c.mu.Lock()
		c.peerSeen = true
		c.mu.Unlock()
		close(c.peerDone)
		// Answer with the same code, as RFC 6455 §5.5.1 suggests; after our own
		// close frame gorilla sends nothing more.
		ws.WriteControl(gws.CloseMessage, gws.FormatCloseMessage(code, ""), time.Now().Add(time.Second))
		return nil
	})
	go c.read()
	return c, nil
}

// Subprotocol is the subprotocol the server agreed to ("" for none).
func (c *Conn) Subprotocol() string { return c.ws.Subprotocol() }

// Conversation is the lab conversation of the connection (zero when untapped).
func (c *Conn) Conversation() lab.ConvID { return c.conv }

// Receive delivers what arrives, in order, and is closed when the connection
// ends. Read it: the reader waits while 64 messages are unread (after Close,
// what is unread may be lost).
func (c *Conn) Receive() <-chan Message { return c.recv }

// Err says why the connection ended, once Receive is closed: nil after a clean
// closing handshake.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.readErr
}

func (c *Conn) deliver(m Message) {
	select {
	case c.recv <- m:
	case <-c.quit:
	}
}

// readKeep is the most room the reader keeps between messages.
const readKeep = 64 << 10

func (c *Conn) read() {
	defer close(c.done)
	defer close(c.recv)
	// Messages are read into one buffer and handed on as copies of their own
	// size: reading each into a new slice would start at 512 bytes and grow.
	var buf bytes.Buffer
	for {
		typ, r, err := c.ws.NextReader()
		if err == nil {
			buf.Reset()
			_, err = buf.ReadFrom(r)
		}
		if err != nil {
			c.mu.Lock()
			var ce *gws.CloseError
			if !errors.As(err, &ce) && !c.closed {
				c.readErr = fmt.Errorf("wsclient: the connection ended without a close frame: %w", err)
			}
			c.mu.Unlock()
			return
		}
		k := KindText
		if typ == gws.BinaryMessage {
			k = KindBinary
		}
		c.deliver(Message{Kind: k, Data: bytes.Clone(buf.Bytes()), At: time.Now()})
		if buf.Cap() > readKeep {
			buf = bytes.Buffer{}
		}
	}
}

// SendText sends one text message (it must be UTF-8).
func (c *Conn) SendText(s string) error { return c.write(gws.TextMessage, []byte(s)) }

// SendBinary sends one binary message.
func (c *Conn) SendBinary(b []byte) error { return c.write(gws.BinaryMessage, b) }

// Ping sends a ping with payload (at most 125 bytes); the pong arrives on Receive.
func (c *Conn) Ping(payload []byte) error {
	if len(payload) > 125 {
		return errors.New("wsclient: a ping's payload may be at most 125 bytes")
	}
	if c.isClosed() {
		return ErrClosed
	}
	return c.ws.WriteControl(gws.PingMessage, payload, time.Now().Add(5*time.Second))
}

func (c *Conn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

func (c *Conn) write(typ int, b []byte) error {
	if c.isClosed() {
		return ErrClosed
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if err := c.ws.WriteMessage(typ, b); err != nil {
		return fmt.Errorf("wsclient: send: %w", err)
	}
	return nil
}

// Close starts the closing handshake: it sends a close frame with code (1000 for
// a normal closure) and reason, waits up to CloseWait for the server's close
// frame, then closes the TCP connection. After the server's own close frame it
// only closes the connection.
func (c *Conn) Close(code int, reason string) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	var err error
	if code != 0 {
		err = c.ws.WriteControl(gws.CloseMessage, gws.FormatCloseMessage(code, reason), time.Now().Add(5*time.Second))
		if errors.Is(err, gws.ErrCloseSent) {
			err = nil
		}
	}
	wait := c.opts.CloseWait
	if wait <= 0 {
		wait = DefaultCloseWait
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-c.peerDone:
	case <-c.done:
	case <-t.C:
	}
	c.ws.Close()
	close(c.quit)
	<-c.done
	if err != nil {
		return fmt.Errorf("wsclient: sending the close frame: %w", err)
	}
	return nil
}
