// Package natsclient is the lab's NATS client, built on
// github.com/nats-io/nats.go: what a person does in the NATS pane. Connect,
// publish, subscribe to subjects with the wildcards * (one token) and > (the
// rest), join a queue group (the server gives each message to one member),
// unsubscribe, send a request and wait for its reply, answer requests on a
// subject, and watch what arrives.
//
// The tap sits below the NATS protocol: nats.go's CustomDialer is the lab's
// dial, so the capture sees INFO, CONNECT and every line after. Reconnecting is
// off: a connection that ends stays ended. JetStream, headers and TLS are left
// out of the pane's client.
package natsclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/protocollab/protolab/clients/labdial"
	"github.com/protocollab/protolab/lab"
)

// DefaultBuffer is how many received messages wait unread when Options.Buffer is zero.
const DefaultBuffer = 256

// Options configures a connection. The zero value connects untapped, without
// a name or login.
type Options struct {
	// Tap captures the connection; nil captures nothing. Dialer, if set, is used
	// instead (its own Tap captures, and lab names resolve through the lab DNS).
	Tap    *lab.Tap
	Dialer *labdial.Dialer
	// Name is the client's name in CONNECT ("" sends none).
	Name string
	// User and Password log in; an empty User sends neither. The capture holds
	// them in clear.
	User, Password string
	// Buffer is how many received messages wait unread on Receive; beyond it new
	// ones are dropped and counted (Dropped). Zero means DefaultBuffer.
	Buffer int
}

// Message is one message the server delivered (MSG), or a reply to Request.
type Message struct {
	Subject string
	Reply   string // the subject to answer on ("" for none)
	Data    []byte
	Sub     string // the subscription it came through: "lab.>" or "lab.* (queue workers)"
	At      time.Time
}

// Conn is one NATS connection. Its methods are safe for concurrent use;
// received messages arrive on Receive.
type Conn struct {
	nc   *nats.Conn
	conv lab.ConvID

	recv    chan Message
	mu      sync.Mutex
	closed  bool
	dropped uint64
}

// Sub is one subscription (SUB … UNSUB).
type Sub struct {
	s     *nats.Subscription
	Label string // the subject, and the queue group if any
}

// dialer is nats.go's CustomDialer over the lab's dial.
type dialer struct {
	ctx  context.Context
	opts Options
	conn net.Conn
	err  error
}

func (d *dialer) Dial(network, addr string) (net.Conn, error) {
	d.conn, d.err = labdial.Dial(d.ctx, d.opts.Dialer, d.opts.Tap, network, addr)
	return d.conn, d.err
}

// Connect dials addr ("127.0.0.1:4222"), reads INFO, sends CONNECT and checks
// the server answers a PING.
func Connect(ctx context.Context, addr string, opts Options) (*Conn, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("natsclient: %q is not host:port: %w", addr, err)
	}
	n := opts.Buffer
	if n <= 0 {
		n = DefaultBuffer
	}
	c := &Conn{recv: make(chan Message, n)}
	d := &dialer{ctx: ctx, opts: opts}
	no := []nats.Option{nats.SetCustomDialer(d), nats.NoReconnect(), nats.DontRandomize(),
		nats.ClosedHandler(func(*nats.Conn) { c.end() }),
		nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {}), // slow consumers: counted by Dropped
	}
	if opts.Name != "" {
		no = append(no, nats.Name(opts.Name))
	}
	if opts.User != "" {
		no = append(no, nats.UserInfo(opts.User, opts.Password))
	}
	if dl, ok := ctx.Deadline(); ok {
		no = append(no, nats.Timeout(time.Until(dl)))
	}
	nc, err := nats.Connect("nats://"+addr, no...)
	if err != nil {
		if d.err != nil {
			return nil, fmt.Errorf("natsclient: cannot connect to %s: %w", addr, d.err)
		}
		return nil, fmt.Errorf("natsclient: %s refused the connection: %w", addr, err)
	}
	c.nc = nc
	if cv := lab.ConnConversation(d.conn); cv != nil {
		c.conv = cv.ID()
	}
	return c, nil
}

// Conversation is the lab conversation of the connection (zero when untapped).
func (c *Conn) Conversation() lab.ConvID { return c.conv }

// Receive delivers what the subscriptions receive, in order per subscription;
// it is closed when the connection has closed. Messages that find Buffer
// unread ones waiting are dropped, never blocking the connection: Dropped
// counts them.
func (c *Conn) Receive() <-chan Message { return c.recv }

// Dropped is how many received messages were dropped because Receive was full.
func (c *Conn) Dropped() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dropped
}

// Err is why the connection ended, or nil while it is open or after Close.
func (c *Conn) Err() error { return c.nc.LastError() }

// Closed reports whether the connection has closed.
func (c *Conn) Closed() bool { return c.nc.IsClosed() }

func (c *Conn) deliver(m Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	select {
	case c.recv <- m:
	default:
		c.dropped++
	}
}

func (c *Conn) end() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.closed = true
		close(c.recv)
	}
}

// CheckSubject reports whether subject may be published to: tokens separated
// by dots, none empty, no spaces, and no wildcards (* and > are for
// subscriptions).
func CheckSubject(subject string) error {
	if err := checkSubject(subject, "subject"); err != nil {
		return err
	}
	for _, t := range strings.Split(subject, ".") {
		if t == "*" || t == ">" {
			return fmt.Errorf("natsclient: a subject to publish to cannot hold the wildcards * or > (they are for subscriptions): name one subject, e.g. lab.sensors.t1")
		}
	}
	return nil
}

// CheckFilter reports whether subject may be subscribed to: * stands for one
// token, > for one or more and only last.
func CheckFilter(subject string) error {
	if err := checkSubject(subject, "subject"); err != nil {
		return err
	}
	toks := strings.Split(subject, ".")
	for i, t := range toks {
		if t == ">" && i != len(toks)-1 {
			return fmt.Errorf("natsclient: in %q, > must be the last token (lab.> matches everything under lab)", subject)
		}
	}
	return nil
}

func checkSubject(s, what string) error {
	switch {
	case s == "":
		return fmt.Errorf("natsclient: the %s is empty", what)
	case strings.ContainsAny(s, " \t\r\n"):
		return fmt.Errorf("natsclient: the %s %q holds white space, which ends a subject on the wire", what, s)
	case strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") || strings.Contains(s, ".."):
		return fmt.Errorf("natsclient: the %s %q has an empty token: tokens are separated by single dots", what, s)
	}
	return nil
}

// Publish sends data to subject (PUB).
func (c *Conn) Publish(subject string, data []byte) error {
	if err := CheckSubject(subject); err != nil {
		return err
	}
	if err := c.nc.Publish(subject, data); err != nil {
		return fmt.Errorf("natsclient: PUB %s: %w", subject, err)
	}
	return nil
}

// Subscribe subscribes to subject (wildcards allowed); what arrives goes to
// Receive. It returns once the server has the subscription (a PING answered).
func (c *Conn) Subscribe(ctx context.Context, subject string) (*Sub, error) {
	return c.subscribe(ctx, subject, "", nil)
}

// QueueSubscribe joins the queue group queue on subject: the server gives each
// message to one member of the group.
func (c *Conn) QueueSubscribe(ctx context.Context, subject, queue string) (*Sub, error) {
	if queue == "" || strings.ContainsAny(queue, " \t\r\n") {
		return nil, fmt.Errorf("natsclient: a queue group is one word, e.g. workers")
	}
	return c.subscribe(ctx, subject, queue, nil)
}

// Respond answers every request on subject (in queue group queue, "" for
// none) with what answer returns for it; requests also go to Receive.
func (c *Conn) Respond(ctx context.Context, subject, queue string, answer func(Message) []byte) (*Sub, error) {
	return c.subscribe(ctx, subject, queue, answer)
}

func (c *Conn) subscribe(ctx context.Context, subject, queue string, answer func(Message) []byte) (*Sub, error) {
	if err := CheckFilter(subject); err != nil {
		return nil, err
	}
	label := subject
	if queue != "" {
		label += " (queue " + queue + ")"
	}
	cb := func(m *nats.Msg) {
		msg := Message{Subject: m.Subject, Reply: m.Reply, Data: m.Data, Sub: label, At: time.Now()}
		c.deliver(msg)
		if answer != nil && m.Reply != "" {
			m.Respond(answer(msg))
		}
	}
	var s *nats.Subscription
	var err error
	if queue != "" {
		s, err = c.nc.QueueSubscribe(subject, queue, cb)
	} else {
		s, err = c.nc.Subscribe(subject, cb)
	}
	if err == nil {
		err = c.nc.FlushWithContext(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("natsclient: SUB %s: %w", label, err)
	}
	return &Sub{s: s, Label: label}, nil
}

// Unsubscribe ends the subscription (UNSUB).
func (s *Sub) Unsubscribe() error {
	if err := s.s.Unsubscribe(); err != nil && !errors.Is(err, nats.ErrBadSubscription) {
		return fmt.Errorf("natsclient: UNSUB %s: %w", s.Label, err)
	}
	return nil
}

// Request publishes data to subject with a reply subject of its own and waits
// for the first answer, or ctx's end. No responder gives an error saying so.
func (c *Conn) Request(ctx context.Context, subject string, data []byte) (Message, error) {
	if err := CheckSubject(subject); err != nil {
		return Message{}, err
	}
	m, err := c.nc.RequestWithContext(ctx, subject, data)
	switch {
	case errors.Is(err, nats.ErrNoResponders):
		return Message{}, fmt.Errorf("natsclient: nobody answers requests on %s: start a responder on it first", subject)
	case err != nil:
		return Message{}, fmt.Errorf("natsclient: request on %s: %w", subject, err)
	}
	return Message{Subject: m.Subject, Data: m.Data, Sub: "reply to " + subject, At: time.Now()}, nil
}

// Close closes the connection: what was published is flushed first.
func (c *Conn) Close() {
	c.nc.Close()
	c.end()
}
