package wsserver

import (
	"bytes"
	"context"
	"log"
	"net/http"
	"sync"
	"time"

	gws "github.com/gorilla/websocket"
	"github.com/protocollab/protolab/lab"
)

// Defaults for the Options fields left zero.
const (
	DefaultMaxMessageBytes = 1 << 20
	DefaultMaxClients      = 1000
	DefaultPingInterval    = 30 * time.Second
	DefaultWriteTimeout    = 5 * time.Second
	DefaultSendQueue       = 64
)

// The subprotocols a client may ask for (Sec-WebSocket-Protocol); each path also
// works without one.
const (
	SubprotocolEcho = "echo"
	SubprotocolChat = "chat"
)

// Options configures a Server or a Handler. The zero value is an untapped server
// with the defaults above.
type Options struct {
	// Tap, if non-nil, captures every accepted connection on the server side (the
	// Server only: a Handler is mounted on a server that taps its own listener).
	// Nil captures nothing. Captured bytes include whatever clients send.
	Tap *lab.Tap
	// MaxMessageBytes bounds one message a client sends; a longer one closes the
	// connection with 1009 (message too big). Zero means DefaultMaxMessageBytes.
	MaxMessageBytes int64
	// MaxClients bounds the open WebSockets; one more is refused with 503 before
	// the upgrade. Zero means DefaultMaxClients.
	MaxClients int
	// PingInterval is how often the server pings each client; a client that has
	// sent nothing, not even a pong, for two intervals is dropped. Zero means
	// DefaultPingInterval.
	PingInterval time.Duration
	// WriteTimeout bounds each write to a client. Zero means DefaultWriteTimeout.
	WriteTimeout time.Duration
	// SendQueue is how many chat messages may wait for one client; a client that
	// falls further behind is dropped (close 1008), so it never stalls the room.
	// Zero means DefaultSendQueue.
	SendQueue int
	// CheckOrigin decides whether a browser page from another origin may connect.
	// Nil allows every origin: the lab is a local teaching tool.
	CheckOrigin func(r *http.Request) bool
	// NotifyStarted, if non-nil, is called once Serve accepts connections.
	NotifyStarted func()
	// ErrorLog, if non-nil, receives net/http's errors. Nil discards them.
	ErrorLog *log.Logger
	// Logf, if non-nil, receives one line per notable event (a client dropped for
	// being slow or silent). Nil is silent.
	Logf func(format string, args ...any)
}

func (o *Options) maxMessage() int64 { return def(o.MaxMessageBytes, DefaultMaxMessageBytes) }
func (o *Options) maxClients() int   { return def(o.MaxClients, DefaultMaxClients) }
func (o *Options) ping() time.Duration {
	return def(o.PingInterval, DefaultPingInterval)
}
func (o *Options) writeTimeout() time.Duration { return def(o.WriteTimeout, DefaultWriteTimeout) }
func (o *Options) sendQueue() int              { return def(o.SendQueue, DefaultSendQueue) }

func def[T int | int64 | time.Duration](v, d T) T {
	if v > 0 {
		return v
	}
	return d
}

func (o *Options) logf(format string, args ...any) {
	if o.Logf != nil {
		o.Logf(format, args...)
	}
}

// handler serves /ws/echo and /ws/chat and keeps count of its WebSockets.
type handler struct {
	opts     Options
	upgrader gws.Upgrader
	room     *room

	mu     sync.Mutex
	conns  map[*gws.Conn]struct{}
	booked int // upgrades under way: counted against MaxClients before their 101
	closed bool
	done   chan struct{} // closed when conns empties after shutdown began
}

// Handler returns an http.Handler serving the WebSocket endpoints, to mount on
// any mux (the lab's HTTP server mounts it at /ws/):
//
//   - /ws/echo sends every message back to its sender, text as text, binary as binary;
//   - /ws/chat sends every text or binary message to every client in the room, the
//     sender included.
//
// The subprotocols "echo" and "chat" are agreed when the client offers them.
func Handler(opts Options) http.Handler { return newHandler(opts) }

func newHandler(opts Options) *handler {
	h := &handler{opts: opts, conns: make(map[*gws.Conn]struct{})}
	h.room = newRoom(h)
	h.upgrader = gws.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		CheckOrigin:      opts.CheckOrigin,
	}
	if h.upgrader.CheckOrigin == nil {
		h.upgrader.CheckOrigin = func(*http.Request) bool { return true }
	}
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var proto string
	switch r.URL.Path {
	case "/ws/echo":
		proto = SubprotocolEcho
	case "/ws/chat":
		proto = SubprotocolChat
	default:
		http.Error(w, "wsserver: no WebSocket here; try /ws/echo or /ws/chat", http.StatusNotFound)
		return
	}
	if !gws.IsWebSocketUpgrade(r) {
		w.Header().Set("Upgrade", "websocket")
		http.Error(w, "wsserver: "+r.URL.Path+" speaks WebSocket: send a GET with Upgrade: websocket", http.StatusUpgradeRequired)
		return
	}
	// The place is booked before the 101 goes out: a client told it is in must
	// count by the time a second one asks.
	if !h.book() {
		http.Error(w, "wsserver: the server is full; try again later", http.StatusServiceUnavailable)
		return
	}
	up := h.upgrader
	up.Subprotocols = []string{proto}
	c, err := up.Upgrade(w, r, nil)
	if err != nil {
		h.unbook()
		return // the upgrader has answered with an error
	}
	if !h.add(c) {
		c.WriteControl(gws.CloseMessage, gws.FormatCloseMessage(gws.CloseGoingAway, "the server is shutting down"), time.Now().Add(time.Second))
		c.Close()
		return
	}
	defer h.remove(c)
	c.SetReadLimit(h.opts.maxMessage())
	c.SetReadDeadline(time.Now().Add(2 * h.opts.ping()))
	c.SetPongHandler(func(string) error { return c.SetReadDeadline(time.Now().Add(2 * h.opts.ping())) })
	if proto == SubprotocolEcho {
		h.echo(c)
	} else {
		h.room.serve(c)
	}
}

func (h *handler) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.conns)
}

// book reserves a place for an upgrade, unless the server is full.
func (h *handler) book() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.conns)+h.booked >= h.opts.maxClients() {
		return false
	}
	h.booked++
	return true
}

func (h *handler) unbook() {
	h.mu.Lock()
	h.booked--
	h.mu.Unlock()
}

// add turns a booked place into a WebSocket, unless the server is shutting down.
func (h *handler) add(c *gws.Conn) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.booked--
	if h.closed {
		return false
	}
	h.conns[c] = struct{}{}
	return true
}

func (h *handler) remove(c *gws.Conn) {
	c.Close()
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.conns, c)
	if h.closed && len(h.conns) == 0 && h.done != nil {
		close(h.done)
		h.done = nil
	}
}

// echo sends every message back; a goroutine pings the client meanwhile.
func (h *handler) echo(c *gws.Conn) {
	stop := make(chan struct{})
	defer close(stop)
	go h.pinger(c, stop)
	// One buffer for the connection's messages: each is written back before
	// the next is read. A large message's room is let go once it is echoed.
	var buf bytes.Buffer
	for {
		c.SetReadDeadline(time.Now().Add(2 * h.opts.ping()))
		typ, r, err := c.NextReader()
		if err == nil {
			buf.Reset()
			_, err = buf.ReadFrom(r)
		}
		if err != nil {
			h.readFailed(c, err)
			return
		}
		c.SetWriteDeadline(time.Now().Add(h.opts.writeTimeout()))
		if err := c.WriteMessage(typ, buf.Bytes()); err != nil {
			return
		}
		if buf.Cap() > echoKeep {
			buf = bytes.Buffer{}
		}
	}
}

// echoKeep is the most room an echoing connection keeps between messages.
const echoKeep = 64 << 10

// pinger pings c every PingInterval until stop is closed.
func (h *handler) pinger(c *gws.Conn, stop <-chan struct{}) {
	t := time.NewTicker(h.opts.ping())
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			if err := c.WriteControl(gws.PingMessage, nil, time.Now().Add(h.opts.writeTimeout())); err != nil {
				return
			}
		}
	}
}

// readFailed answers what ended the reading: a message too big gets 1009; a
// silent client is dropped. A close frame from the client has been answered by
// gorilla's close handler already.
func (h *handler) readFailed(c *gws.Conn, err error) {
	switch {
	case err == gws.ErrReadLimit:
		c.WriteControl(gws.CloseMessage, gws.FormatCloseMessage(gws.CloseMessageTooBig, "message too big"), time.Now().Add(h.opts.writeTimeout()))
	case isTimeout(err):
		h.opts.logf("wsserver: %s sent nothing, not even a pong, for %v: dropped", c.RemoteAddr(), 2*h.opts.ping())
	}
}

func isTimeout(err error) bool {
	t, ok := err.(interface{ Timeout() bool })
	return ok && t.Timeout()
}

// shutdown says goodbye (1001 going away) to every WebSocket and waits until they
// have ended, or ctx is done.
func (h *handler) shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closed = true
	list := make([]*gws.Conn, 0, len(h.conns))
	for c := range h.conns {
		list = append(list, c)
	}
	var done chan struct{}
	if len(h.conns) > 0 {
		done = make(chan struct{})
		h.done = done
	}
	h.mu.Unlock()
	for _, c := range list {
		c.WriteControl(gws.CloseMessage, gws.FormatCloseMessage(gws.CloseGoingAway, "the server is shutting down"), time.Now().Add(time.Second))
	}
	if done == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		h.closeAll()
		return ctx.Err()
	}
}

// closeAll drops every WebSocket at once.
func (h *handler) closeAll() {
	h.mu.Lock()
	h.closed = true
	list := make([]*gws.Conn, 0, len(h.conns))
	for c := range h.conns {
		list = append(list, c)
	}
	h.mu.Unlock()
	for _, c := range list {
		c.NetConn().Close()
	}
}

// Endpoints is Handler with a lifecycle, for a server that mounts the WebSocket
// endpoints beside others (the lab's HTTP server, at /ws/): http.Server's Close
// and Shutdown leave hijacked connections alone, so its owner calls these too.
type Endpoints struct{ h *handler }

// NewEndpoints returns the endpoints Handler serves, with their lifecycle.
func NewEndpoints(opts Options) *Endpoints { return &Endpoints{h: newHandler(opts)} }

// ServeHTTP serves /ws/echo and /ws/chat.
func (e *Endpoints) ServeHTTP(w http.ResponseWriter, r *http.Request) { e.h.ServeHTTP(w, r) }

// Sessions returns the number of open WebSockets.
func (e *Endpoints) Sessions() int { return e.h.count() }

// Close drops every WebSocket at once.
func (e *Endpoints) Close() { e.h.closeAll() }

// Shutdown says goodbye (1001 going away) to every WebSocket and waits until
// they have ended, or ctx is done.
func (e *Endpoints) Shutdown(ctx context.Context) error { return e.h.shutdown(ctx) }
