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

	"github.com/protocollab/protolab/clients/natsclient"
	"github.com/protocollab/protolab/clients/payload"
)

// The pane's first subjects: what it publishes, what it subscribes to, and
// where its responder answers.
const (
	natsSubject   = "lab.sensors.t1"
	natsFilter    = "lab.>"
	natsRespondOn = "lab.time"
)

// natsConn is one column of the NATS pane: one connection.
type natsConn struct {
	colBase
	pane *natsPane
	name string // "lab-conn-1"

	connName          *widget.Entry
	connect, closeBtn *widget.Button

	filter, queue          *widget.Entry
	subscribe, unsubscribe *widget.Button
	subs                   map[string]*natsclient.Sub // by label

	subject *widget.Entry
	comp    *composer
	request *widget.Button

	respondOn, answer *widget.Entry
	respond           *widget.Button
	responder         *natsclient.Sub

	conn  *natsclient.Conn
	ended atomic.Pointer[natsclient.Conn] // set by listen when conn has closed
	obj   fyne.CanvasObject
}

var _ column = (*natsConn)(nil)

func (c *natsConn) object() fyne.CanvasObject { return c.obj }

// close closes the connection as the lab closes.
func (c *natsConn) close() {
	if nc := c.conn; nc != nil {
		go nc.Close()
	}
}

func newNATSConn(p *natsPane, n int) *natsConn {
	c := &natsConn{pane: p, name: fmt.Sprintf("lab-conn-%d", n), subs: map[string]*natsclient.Sub{}}
	c.connName = entryWith(c.name)
	c.connect = widget.NewButtonWithIcon("Connect", theme.LoginIcon(), c.dial)
	c.connect.Importance = widget.HighImportance
	c.closeBtn = widget.NewButtonWithIcon("Close", theme.LogoutIcon(), c.end)
	c.initBase(p.ctx, c.enable)

	c.filter = entryWith(natsFilter)
	c.queue = widget.NewEntry()
	c.queue.SetPlaceHolder("queue group (optional)")
	c.subscribe = widget.NewButton("Subscribe", c.sub)
	c.unsubscribe = widget.NewButton("Unsubscribe", c.unsub)

	c.subject = entryWith(natsSubject)
	c.comp = newComposer(c.publish)
	c.comp.newline.SetChecked(false)
	c.comp.newline.Hide()
	c.comp.entry.SetText("21.5")
	c.comp.send.SetText("Publish")
	c.request = widget.NewButton("Request", c.ask)

	c.respondOn = entryWith(natsRespondOn)
	c.answer = entryWith("it is {time}")
	c.answer.SetPlaceHolder("the answer ({time} is the time)")
	c.respond = widget.NewButton("Answer requests", c.toggleResponder)

	top := container.NewVBox(
		c.heading(fmt.Sprintf("connection %d", n)),
		container.NewBorder(nil, nil, widget.NewLabel("Name"), container.NewHBox(c.connect, c.closeBtn), c.connName),
		c.errText,
		container.NewBorder(nil, nil, sectionLabel("SUBSCRIBE"), container.NewHBox(c.subscribe, c.unsubscribe)),
		container.NewGridWithColumns(2, c.filter, c.queue),
		container.NewBorder(nil, nil, sectionLabel("PUBLISH OR REQUEST"), c.comp.options),
		c.subject,
		container.NewBorder(nil, nil, nil, container.NewHBox(c.comp.send, c.request), c.comp.entry),
		c.comp.errText,
		container.NewBorder(nil, nil, sectionLabel("ANSWER REQUESTS"), c.respond),
		container.NewGridWithColumns(2, c.respondOn, c.answer),
		sectionLabel("RECEIVED AND SENT"),
	)
	c.obj = container.NewBorder(top, nil, nil, nil, c.out.list)
	c.enable()
	return c
}

func (c *natsConn) open() bool { return c.conn != nil && c.ended.Load() != c.conn }

// enable turns the buttons on or off for the connection's state.
func (c *natsConn) enable() {
	open := c.open()
	for _, b := range []*widget.Button{c.closeBtn, c.subscribe, c.unsubscribe, c.request, c.respond} {
		setEnabled(b, open && !c.busy)
	}
	c.comp.setEnabled(open && !c.busy)
	setEnabled(c.connect, !open && !c.busy)
	label := "Answer requests"
	if c.responder != nil {
		label = "Stop answering"
	}
	if c.respond.Text != label {
		c.respond.SetText(label)
	}
}

// dial connects off the UI goroutine and starts listening.
func (c *natsConn) dial() {
	addr := c.pane.addr.value()
	opts := natsclient.Options{Dialer: c.ctx.Dialer(), Name: strings.TrimSpace(c.connName.Text)}
	c.errText.Hide()
	c.state.SetText("connecting to " + addr + " …")
	var nc *natsclient.Conn
	c.runThen("", withTimeout(func(ctx context.Context) (err error) {
		nc, err = natsclient.Connect(ctx, addr, opts)
		return err
	}), func(err error) {
		if err != nil {
			c.state.SetText("not connected")
			return
		}
		c.conn, c.subs, c.responder = nc, map[string]*natsclient.Sub{}, nil
		c.connected(addr, "connected to "+addr, nc.Conversation())
		go c.listen(nc)
		c.update()
	})
}

// listen adds what the server delivers to the transcript until the connection closes.
func (c *natsConn) listen(nc *natsclient.Conn) {
	for m := range nc.Receive() {
		c.received(m.At, natsLine(m))
	}
	note := "closed"
	if err := nc.Err(); err != nil {
		note = "closed: " + err.Error()
	}
	c.note(note)
	c.ended.Store(nc)
	c.ctx.Changed()
}

// natsLine is how a message shows in a transcript: "lab.x (via lab.>) ▸ hello".
func natsLine(m natsclient.Message) []byte {
	var b strings.Builder
	b.WriteString(m.Subject)
	if m.Sub != "" && m.Sub != m.Subject {
		fmt.Fprintf(&b, " (via %s)", m.Sub)
	}
	if m.Reply != "" {
		fmt.Fprintf(&b, " reply to %s", m.Reply)
	}
	b.WriteString(" ▸ ")
	return append([]byte(b.String()), m.Data...)
}

// subLabel is the label natsclient gives the subscription the entries describe.
func (c *natsConn) subLabel() (subject, queue, label string) {
	subject, queue = strings.TrimSpace(c.filter.Text), strings.TrimSpace(c.queue.Text)
	label = subject
	if queue != "" {
		label += " (queue " + queue + ")"
	}
	return subject, queue, label
}

func (c *natsConn) sub() {
	nc := c.conn
	subject, queue, label := c.subLabel()
	if c.subs[label] != nil {
		c.fail(fmt.Errorf("already subscribed to %s", label))
		return
	}
	c.errText.Hide()
	var s *natsclient.Sub
	c.run("", withTimeout(func(ctx context.Context) (err error) {
		if queue != "" {
			s, err = nc.QueueSubscribe(ctx, subject, queue)
		} else {
			s, err = nc.Subscribe(ctx, subject)
		}
		return err
	}), func() {
		c.subs[s.Label] = s
		c.note("subscribed to " + s.Label)
		c.update()
	})
}

func (c *natsConn) unsub() {
	_, _, label := c.subLabel()
	s := c.subs[label]
	if s == nil {
		c.fail(fmt.Errorf("not subscribed to %s", label))
		return
	}
	c.errText.Hide()
	c.run("", s.Unsubscribe, func() {
		delete(c.subs, label)
		c.note("unsubscribed from " + label)
		c.update()
	})
}

// message reads the subject, and the payload text (in hex when hex), checked
// before anything is sent.
func (c *natsConn) message(text string, hex bool) (string, []byte, bool) {
	subject := strings.TrimSpace(c.subject.Text)
	err := natsclient.CheckSubject(subject)
	var data []byte
	if err == nil {
		data, err = payload.Parse(text, hex)
	}
	c.comp.fail(err)
	return subject, data, err == nil && c.conn != nil
}

func (c *natsConn) publish(text string, hex, _ bool) {
	subject, data, ok := c.message(text, hex)
	if !ok {
		return
	}
	nc := c.conn
	c.run("", func() error { return nc.Publish(subject, data) }, func() {
		c.sent(natsLine(natsclient.Message{Subject: subject, Data: data}))
		c.update()
	})
}

// ask sends a request and shows the reply.
func (c *natsConn) ask() {
	subject, data, ok := c.message(c.comp.entry.Text, c.comp.mode.Selected == modeHex)
	if !ok {
		return
	}
	nc := c.conn
	c.sent(append([]byte(subject+" · request ▸ "), data...))
	var reply natsclient.Message
	c.run("", withTimeout(func(ctx context.Context) (err error) {
		reply, err = nc.Request(ctx, subject, data)
		return err
	}), func() {
		c.received(reply.At, append([]byte(reply.Subject+" · the reply ▸ "), reply.Data...))
		c.update()
	})
}

// toggleResponder starts or stops answering requests on the responder's subject.
func (c *natsConn) toggleResponder() {
	c.errText.Hide()
	if s := c.responder; s != nil {
		c.run("", s.Unsubscribe, func() {
			c.responder = nil
			c.note("stopped answering on " + s.Label)
			c.update()
		})
		return
	}
	nc, subject, answer := c.conn, strings.TrimSpace(c.respondOn.Text), c.answer.Text
	var s *natsclient.Sub
	c.run("", withTimeout(func(ctx context.Context) (err error) {
		s, err = nc.Respond(ctx, subject, "", func(natsclient.Message) []byte {
			return []byte(strings.ReplaceAll(answer, "{time}", time.Now().Format("15:04:05")))
		})
		return err
	}), func() {
		c.responder = s
		c.note("answering requests on " + subject)
		c.update()
	})
}

// end closes the connection.
func (c *natsConn) end() {
	if nc := c.conn; nc != nil {
		c.errText.Hide()
		c.run("", func() error { nc.Close(); return nil }, nil)
	}
}

// update shows new messages and the connection's end. UI goroutine.
func (c *natsConn) update() {
	c.out.update()
	if nc := c.ended.Load(); nc != nil && nc == c.conn {
		c.conn, c.subs, c.responder = nil, map[string]*natsclient.Sub{}, nil
		c.state.SetText("not connected")
	}
	c.enable()
}
