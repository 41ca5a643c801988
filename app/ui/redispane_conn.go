package ui

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/clients/redisclient"
)

// The protocol choices of a connection.
var redisProtocols = []string{"RESP2", "RESP3 (HELLO 3)"}

// redisConn is one column of the Redis pane: a command connection and, once
// it subscribes, a subscriber connection beside it.
type redisConn struct {
	colBase
	pane *redisPane

	protocol          *widget.Select
	user, pass        *widget.Entry
	connect, closeBtn *widget.Button

	cmd    *commandEntry
	hint   *widget.Label
	runBtn *widget.Button

	channel         *widget.Entry
	subscribe, psub *widget.Button
	unsubscribe     *widget.Button
	client          *redisclient.Client
	sub             *redisclient.Subscriber
	subEnded        atomic.Pointer[redisclient.Subscriber] // set by listen when sub has ended
	obj             fyne.CanvasObject
}

var _ column = (*redisConn)(nil)

func (c *redisConn) object() fyne.CanvasObject { return c.obj }

// close closes the connections as the lab closes.
func (c *redisConn) close() {
	if cl, s := c.client, c.sub; cl != nil || s != nil {
		go func() {
			if s != nil {
				s.Close()
			}
			if cl != nil {
				cl.Close()
			}
		}()
	}
}

func newRedisConn(p *redisPane, n int) *redisConn {
	c := &redisConn{pane: p}
	first := redisFirst[(n-1)%len(redisFirst)]
	c.protocol = widget.NewSelect(redisProtocols, nil)
	c.protocol.SetSelectedIndex(0)
	c.user, c.pass = entryWith("lab"), widget.NewPasswordEntry()
	c.pass.SetText("lab")
	c.user.SetPlaceHolder("none: the default user")
	c.connect = widget.NewButtonWithIcon("Connect", theme.LoginIcon(), c.dial)
	c.connect.Importance = widget.HighImportance
	c.closeBtn = widget.NewButtonWithIcon("Close", theme.LogoutIcon(), c.end)
	c.initBase(p.ctx, c.enable)

	c.hint = newHint()
	c.cmd = newCommandEntry(c.do, func(s string) { c.hint.SetText(commandHint(s)) })
	c.cmd.SetText(first.command)
	c.runBtn = widget.NewButtonWithIcon("Run", theme.MediaPlayIcon(), func() { c.do(c.cmd.Text) })

	c.channel = entryWith(first.channel)
	c.subscribe = widget.NewButton("Subscribe", func() { c.subTo(false) })
	c.psub = widget.NewButton("Pattern", func() { c.subTo(true) })
	c.unsubscribe = widget.NewButton("Unsubscribe all", c.unsub)

	top := container.NewVBox(
		c.heading(fmt.Sprintf("connection %d", n)),
		container.NewBorder(nil, nil, c.protocol, container.NewHBox(c.connect, c.closeBtn), container.NewGridWithColumns(2, c.user, c.pass)),
		c.errText,
		sectionLabel("COMMAND"),
		container.NewBorder(nil, nil, nil, c.runBtn, c.cmd),
		c.hint,
		container.NewBorder(nil, nil, sectionLabel("SUBSCRIBE"), container.NewHBox(c.subscribe, c.psub, c.unsubscribe)),
		c.channel,
		sectionLabel("COMMANDS, REPLIES AND MESSAGES"),
	)
	c.obj = container.NewBorder(top, nil, nil, nil, c.out.list)
	c.enable()
	return c
}

func (c *redisConn) open() bool { return c.client != nil }

func (c *redisConn) subscribed() bool { return c.sub != nil && c.subEnded.Load() != c.sub }

// enable turns the buttons on or off for the connection's state.
func (c *redisConn) enable() {
	open := c.open()
	for _, b := range []*widget.Button{c.closeBtn, c.runBtn, c.subscribe, c.psub} {
		setEnabled(b, open && !c.busy)
	}
	setEnabled(c.unsubscribe, c.subscribed() && !c.busy)
	setEnabled(c.connect, !open && !c.busy)
	setEnabled(c.protocol, !open && !c.busy)
}

// dial connects off the UI goroutine.
func (c *redisConn) dial() {
	addr := c.pane.addr.value()
	opts := redisclient.Options{Dialer: c.ctx.Dialer(), Username: strings.TrimSpace(c.user.Text), Password: c.pass.Text,
		Protocol: 2 + c.protocol.SelectedIndex()}
	c.errText.Hide()
	c.state.SetText("connecting to " + addr + " …")
	var cl *redisclient.Client
	c.runThen("", withTimeout(func(ctx context.Context) (err error) {
		cl, err = redisclient.Connect(ctx, addr, opts)
		return err
	}), func(err error) {
		if err != nil {
			c.state.SetText("not connected")
			return
		}
		c.client = cl
		c.connected(addr, fmt.Sprintf("connected to %s over RESP%d", addr, cl.Protocol()), cl.Conversation())
		c.update()
	})
}

// do runs the command line.
func (c *redisConn) do(line string) {
	cl := c.client
	if cl == nil || strings.TrimSpace(line) == "" {
		return
	}
	c.errText.Hide()
	c.sent([]byte(line))
	c.cmd.remember(line)
	c.cmd.SetText("")
	var r redisclient.Reply
	c.run("", withTimeout(func(ctx context.Context) (err error) {
		r, err = cl.Do(ctx, line)
		return err
	}), func() {
		c.received(time.Now(), replyLine(r))
		c.update()
	})
}

// subTo subscribes to the channel, or the pattern, in the entry.
func (c *redisConn) subTo(pattern bool) {
	name := strings.TrimSpace(c.channel.Text)
	if name == "" {
		return
	}
	c.errText.Hide()
	var channels, patterns []string
	what := "channel"
	if pattern {
		patterns, what = []string{name}, "pattern"
	} else {
		channels = []string{name}
	}
	cl, s := c.client, c.sub
	if !c.subscribed() {
		s = nil
	}
	var made *redisclient.Subscriber
	c.run("", withTimeout(func(ctx context.Context) (err error) {
		if s != nil {
			return s.Add(ctx, channels, patterns)
		}
		made, err = cl.Subscribe(ctx, channels, patterns)
		return err
	}), func() {
		if made != nil {
			c.sub = made
			go c.listen(made)
		}
		c.note(fmt.Sprintf("subscribed to the %s %s, on a connection of its own", what, name))
		c.update()
	})
}

// listen adds what the subscriber receives to the transcript until it closes.
func (c *redisConn) listen(s *redisclient.Subscriber) {
	for m := range s.Receive() {
		c.received(m.At, messageLine(m))
	}
	c.subEnded.Store(s)
	c.ctx.Changed()
}

// unsub closes the subscriber connection.
func (c *redisConn) unsub() {
	if s := c.sub; s != nil {
		c.errText.Hide()
		c.run("", func() error { return s.Close() }, func() {
			c.note("unsubscribed: the subscriber's connection is closed")
			c.update()
		})
	}
}

// end closes both connections.
func (c *redisConn) end() {
	cl, s := c.client, c.sub
	if cl == nil {
		return
	}
	c.errText.Hide()
	c.run("", func() error {
		if s != nil {
			s.Close()
		}
		return cl.Close()
	}, func() {
		c.client, c.sub = nil, nil
		c.note("closed")
		c.state.SetText("not connected")
		c.update()
	})
}

// update shows what arrived and the subscriber's end. UI goroutine.
func (c *redisConn) update() {
	c.out.update()
	if s := c.subEnded.Load(); s != nil && s == c.sub {
		c.sub = nil
	}
	c.enable()
}
