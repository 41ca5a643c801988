package p2pclient

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	pion "github.com/pion/webrtc/v4"
)

// ChannelOptions are a data channel's delivery rules (RFC 8831 §6.1), sent to
// the remote peer in DATA_CHANNEL_OPEN (RFC 8832). The zero value is ordered
// and reliable, like TCP.
type ChannelOptions struct {
	// Unordered lets messages be delivered as they arrive, not in order.
	Unordered bool
	// MaxRetransmits, if non-nil, makes the channel partially reliable: a
	// message is sent at most 1+*MaxRetransmits times, then given up.
	MaxRetransmits *uint16
	// MaxPacketLifeTime, if non-nil, makes the channel partially reliable: a
	// message is retransmitted for at most this many milliseconds.
	// Set at most one of MaxRetransmits and MaxPacketLifeTime.
	MaxPacketLifeTime *uint16
	// Protocol is the channel's subprotocol name, "" for none.
	Protocol string
}

// Reliable reports whether messages on the channel are never given up.
func (o ChannelOptions) Reliable() bool { return o.MaxRetransmits == nil && o.MaxPacketLifeTime == nil }

// Message is one message received on a channel.
type Message struct {
	Text bool   // a text (UTF-8) message, not a binary one
	Data []byte // its bytes
}

// Channel is one data channel of a Peer: send text, bytes and files, receive
// them through its callbacks. Set the callbacks before the remote sends (for
// a channel the remote opens: in Options.OnChannel); messages that come
// before OnMessage is set wait for it (up to 256). Its methods are safe for
// concurrent use. OnMessage, OnFile and OnFileProgress are called one at a
// time, in order, from the channel's reading goroutine (a file cut short by
// the connection's end is given from the goroutine that saw the end);
// OnState as the peer's OnState is.
type Channel struct {
	p    *Peer
	dc   *pion.DataChannel
	opts ChannelOptions
	echo bool

	open    chan struct{}
	low     chan struct{} // a token when the send buffer drains below lowWater
	closed  chan struct{}
	sending sync.Mutex // one file at a time

	mu        sync.Mutex
	onMessage func(Message)
	onFile    func(File)
	onProg    func(name string, got, size int64)
	onState   func(string)
	pending   []Message
	recv      *incoming // the file being received
	err       error     // why the channel ended
}

// Flow control: a sender waits while more than highWater bytes are queued,
// until they drain below lowWater.
const (
	highWater = 1 << 20
	lowWater  = 256 << 10
)

// OpenChannel opens a data channel called label with opts. On a connected
// peer it opens at once (DATA_CHANNEL_OPEN); before the offer it is part of
// it. WaitOpen waits for it.
func (p *Peer) OpenChannel(label string, opts ChannelOptions) (*Channel, error) {
	if opts.MaxRetransmits != nil && opts.MaxPacketLifeTime != nil {
		return nil, errors.New("p2pclient: a channel gives up by retransmissions or by lifetime, not both: set one")
	}
	ordered := !opts.Unordered
	init := &pion.DataChannelInit{Ordered: &ordered, MaxRetransmits: opts.MaxRetransmits, MaxPacketLifeTime: opts.MaxPacketLifeTime}
	if opts.Protocol != "" {
		init.Protocol = &opts.Protocol
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	dc, err := p.pc.CreateDataChannel(label, init)
	if err != nil {
		return nil, fmt.Errorf("p2pclient: open channel %q: %w", label, err)
	}
	return p.adopt(dc, false), nil
}

// adopt wraps dc, the peer's or the remote's.
func (p *Peer) adopt(dc *pion.DataChannel, echo bool) *Channel {
	c := &Channel{p: p, dc: dc, echo: echo, open: make(chan struct{}), low: make(chan struct{}, 1), closed: make(chan struct{})}
	c.opts = ChannelOptions{Unordered: !dc.Ordered(), MaxRetransmits: dc.MaxRetransmits(), MaxPacketLifeTime: dc.MaxPacketLifeTime(), Protocol: dc.Protocol()}
	dc.SetBufferedAmountLowThreshold(lowWater)
	dc.OnBufferedAmountLow(func() {
		select {
		case c.low <- struct{}{}:
		default:
		}
	})
	dc.OnOpen(func() {
		close(c.open)
		c.state("open")
	})
	dc.OnClose(func() {
		c.end(fmt.Errorf("p2pclient: channel %q closed", c.Label()))
		c.state("closed")
	})
	dc.OnMessage(c.message)
	p.mu.Lock()
	p.channels = append(p.channels, c)
	p.mu.Unlock()
	return c
}

// Label is the channel's name.
func (c *Channel) Label() string { return c.dc.Label() }

// Options are the channel's delivery rules.
func (c *Channel) Options() ChannelOptions { return c.opts }

// State is the channel's state: connecting, open, closing or closed.
func (c *Channel) State() string { return c.dc.ReadyState().String() }

// Peer is the peer the channel belongs to.
func (c *Channel) Peer() *Peer { return c.p }

func (c *Channel) state(s string) {
	c.mu.Lock()
	f := c.onState
	c.mu.Unlock()
	if f != nil {
		c.p.notify.do(func() { f(s) })
	}
	c.p.state(State{Layer: LayerChannel, Channel: c.Label(), State: s})
}

// OnMessage sets the function given each text or binary message (files are
// given to OnFile instead).
func (c *Channel) OnMessage(f func(Message)) {
	c.mu.Lock()
	c.onMessage = f
	pending := c.pending
	c.pending = nil
	c.mu.Unlock()
	for _, m := range pending {
		f(m)
	}
}

// OnFile sets the function given each file received whole (SHA-256 checked),
// or the reason one was not (File.Err).
func (c *Channel) OnFile(f func(File)) {
	c.mu.Lock()
	c.onFile = f
	c.mu.Unlock()
}

// OnFileProgress sets the function told, after each chunk of a file being
// received, how many of its bytes have come.
func (c *Channel) OnFileProgress(f func(name string, got, size int64)) {
	c.mu.Lock()
	c.onProg = f
	c.mu.Unlock()
}

// OnState sets the function told the channel's states (open, closed), in
// order with the peer's (Options.OnState).
func (c *Channel) OnState(f func(string)) {
	c.mu.Lock()
	c.onState = f
	c.mu.Unlock()
}

func (c *Channel) message(m pion.DataChannelMessage) {
	if c.echo {
		if m.IsString {
			c.dc.SendText(string(m.Data))
		} else {
			c.dc.Send(m.Data)
		}
		return
	}
	if !m.IsString && isFrame(m.Data) {
		c.frame(m.Data)
		return
	}
	msg := Message{Text: m.IsString, Data: m.Data}
	c.mu.Lock()
	f := c.onMessage
	if f == nil {
		if len(c.pending) < 256 {
			c.pending = append(c.pending, msg)
		}
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	f(msg)
}

// WaitOpen waits until the channel is open, or returns why it will not be.
func (c *Channel) WaitOpen(ctx context.Context) error {
	select {
	case <-c.open:
		return nil
	case <-c.closed:
		return c.Err()
	case <-ctx.Done():
		return fmt.Errorf("p2pclient: channel %q not open (%s): %w", c.Label(), c.State(), ctx.Err())
	}
}

// SendText sends s as one text message.
func (c *Channel) SendText(s string) error {
	if err := c.ready(); err != nil {
		return err
	}
	return c.wrap(c.dc.SendText(s))
}

// Send sends b as one binary message. A message that begins as the file
// framing does ("\x00PLF") is read as a file frame at a lab peer.
func (c *Channel) Send(b []byte) error {
	if err := c.ready(); err != nil {
		return err
	}
	return c.wrap(c.dc.Send(b))
}

// ready returns why the channel cannot send now.
func (c *Channel) ready() error {
	select {
	case <-c.closed:
		return c.Err()
	default:
	}
	if c.dc.ReadyState() != pion.DataChannelStateOpen {
		return fmt.Errorf("p2pclient: channel %q is %s, not open", c.Label(), c.State())
	}
	return nil
}

func (c *Channel) wrap(err error) error {
	if err != nil {
		return fmt.Errorf("p2pclient: send on %q: %w", c.Label(), err)
	}
	return nil
}

// drain waits while more than highWater bytes wait to be sent.
func (c *Channel) drain(ctx context.Context) error {
	for c.dc.BufferedAmount() > highWater {
		select {
		case <-c.low:
		case <-time.After(100 * time.Millisecond): // the token may predate the queue
		case <-c.closed:
			return c.Err()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Err is why the channel ended, nil while it is open or opening.
func (c *Channel) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// end records why the channel ended (the first reason wins), fails a file
// being received, and wakes whoever waits.
func (c *Channel) end(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	close(c.closed)
	c.mu.Unlock()
	c.abortReceive(err)
}

// peerDied ends the channel because its peer connection ended.
func (c *Channel) peerDied(err error) {
	c.end(fmt.Errorf("channel %q: %w", c.Label(), err))
}

// Close closes the channel; the remote sees it close.
func (c *Channel) Close() error {
	c.end(fmt.Errorf("p2pclient: channel %q closed", c.Label()))
	return c.dc.Close()
}

// afterTick is how often a waiting sender looks at the send buffer again.
func afterTick() <-chan time.Time { return time.After(20 * time.Millisecond) }
