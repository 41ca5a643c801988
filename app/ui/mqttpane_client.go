package ui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/clients/mqttclient"
	"github.com/protocollab/protolab/clients/payload"
)

// The pane's first topic, and the filter its clients subscribe to: every
// sensor, and every client's will.
const (
	mqttTopic  = "lab/sensors/t1"
	mqttFilter = "lab/#"
)

// qosNames are the choices of a QoS select, by level.
var qosNames = []string{"QoS 0", "QoS 1", "QoS 2"}

func newQoSSelect(level int) *widget.Select {
	s := widget.NewSelect(qosNames, nil)
	s.SetSelectedIndex(level)
	return s
}

func qosOf(s *widget.Select) byte { return byte(max(s.SelectedIndex(), 0)) }

// mqttClient is one column of the MQTT pane: one client and its session.
type mqttClient struct {
	colBase
	pane *mqttPane
	name string // "client 1"

	id, keepAlive, user, pass *widget.Entry
	clean                     *widget.Check
	willTopic, willPayload    *widget.Entry
	willQoS                   *widget.Select
	willRetain                *widget.Check
	connect, disconnect, drop *widget.Button

	filter                 *widget.Entry
	subQoS                 *widget.Select
	subscribe, unsubscribe *widget.Button

	topic  *widget.Entry
	pubQoS *widget.Select
	retain *widget.Check
	comp   *composer

	client *mqttclient.Client
	ended  atomic.Pointer[mqttclient.Client] // set by listen when client's connection has ended
	obj    fyne.CanvasObject
}

var _ column = (*mqttClient)(nil)

func (c *mqttClient) object() fyne.CanvasObject { return c.obj }

func newMQTTClient(p *mqttPane, n int) *mqttClient {
	c := &mqttClient{pane: p, name: fmt.Sprintf("client %d", n)}
	id := fmt.Sprintf("lab-client-%d", n)
	c.id = entryWith(id)
	c.keepAlive = entryWith("30")
	c.user, c.pass = widget.NewEntry(), widget.NewPasswordEntry()
	c.user.SetPlaceHolder("none")
	c.clean = widget.NewCheck("Clean session", nil)
	c.clean.SetChecked(true)
	c.willTopic = entryWith("lab/clients/" + id)
	c.willTopic.SetPlaceHolder("none: no will")
	c.willPayload = entryWith(id + " went away")
	c.willQoS = newQoSSelect(1)
	c.willRetain = widget.NewCheck("Retain", nil)

	c.connect = widget.NewButtonWithIcon("Connect", theme.LoginIcon(), c.dial)
	c.connect.Importance = widget.HighImportance
	c.disconnect = widget.NewButtonWithIcon("Disconnect", theme.LogoutIcon(), c.end)
	c.drop = widget.NewButtonWithIcon("Drop connection", theme.CancelIcon(), c.dropConn)
	c.drop.Importance = widget.DangerImportance
	c.initBase(p.ctx, c.enable)

	c.filter = entryWith(mqttFilter)
	c.subQoS = newQoSSelect(1)
	c.subscribe = widget.NewButton("Subscribe", c.sub)
	c.unsubscribe = widget.NewButton("Unsubscribe", c.unsub)

	c.topic = entryWith(mqttTopic)
	c.pubQoS = newQoSSelect(1)
	c.retain = widget.NewCheck("Retain", nil)
	c.comp = newComposer(c.publish)
	c.comp.newline.SetChecked(false)
	c.comp.newline.Hide()
	c.comp.entry.SetText("21.5")
	c.comp.send.SetText("Publish")

	session := widget.NewForm(
		widget.NewFormItem("Keep-alive (s)", container.NewBorder(nil, nil, nil, c.clean, c.keepAlive)),
		widget.NewFormItem("Username", c.user),
		widget.NewFormItem("Password", c.pass),
		widget.NewFormItem("Will topic", c.willTopic),
		widget.NewFormItem("Will message", c.willPayload),
		widget.NewFormItem("", container.NewHBox(c.willQoS, c.willRetain)),
	)
	more := widget.NewAccordion(widget.NewAccordionItem("Session, login and last will", session))
	top := container.NewVBox(
		c.heading(c.name),
		container.NewBorder(nil, nil, widget.NewLabel("Client id"), c.connect, c.id),
		more,
		container.NewGridWithColumns(2, c.disconnect, c.drop),
		c.errText,
		container.NewBorder(nil, nil, sectionLabel("SUBSCRIBE"), container.NewHBox(c.subscribe, c.unsubscribe)),
		container.NewBorder(nil, nil, nil, c.subQoS, c.filter),
		container.NewBorder(nil, nil, sectionLabel("PUBLISH"), c.comp.options),
		container.NewBorder(nil, nil, nil, container.NewHBox(c.pubQoS, c.retain), c.topic),
		container.NewBorder(nil, nil, nil, c.comp.send, c.comp.entry),
		c.comp.errText,
		sectionLabel("RECEIVED AND SENT"),
	)
	c.obj = container.NewBorder(top, nil, nil, nil, c.out.list)
	c.enable()
	return c
}

func entryWith(s string) *widget.Entry {
	e := widget.NewEntry()
	e.SetText(s)
	return e
}

// open reports whether the client has a live session.
func (c *mqttClient) open() bool {
	return c.client != nil && c.ended.Load() != c.client
}

// enable turns the buttons on or off for the session's state.
func (c *mqttClient) enable() {
	open := c.open()
	for _, b := range []*widget.Button{c.disconnect, c.drop, c.subscribe, c.unsubscribe} {
		setEnabled(b, open && !c.busy)
	}
	c.comp.setEnabled(open && !c.busy)
	setEnabled(c.connect, !open && !c.busy)
}

// options reads the connect form.
func (c *mqttClient) options() (mqttclient.Options, error) {
	ctx := c.ctx
	o := mqttclient.Options{Dialer: ctx.Dialer(), ClientID: strings.TrimSpace(c.id.Text), KeepSession: !c.clean.Checked,
		Username: c.user.Text, Password: c.pass.Text, TLS: c.pane.tls, KeyLog: ctx.Bench.Hub().Keys()}
	ka, err := strconv.Atoi(strings.TrimSpace(c.keepAlive.Text))
	if err != nil || ka < 0 || ka > 65535 {
		return o, fmt.Errorf("the keep-alive is a number of seconds from 0 (off) to 65535")
	}
	o.KeepAlive = time.Duration(ka) * time.Second
	if t := strings.TrimSpace(c.willTopic.Text); t != "" {
		if err := mqttclient.CheckTopic(t); err != nil {
			return o, fmt.Errorf("the will's topic: %w", err)
		}
		o.Will = &mqttclient.Will{Topic: t, Payload: []byte(c.willPayload.Text), QoS: qosOf(c.willQoS), Retain: c.willRetain.Checked}
	}
	if o.TLS {
		ca, err := labCA()
		if err != nil {
			return o, err
		}
		o.RootCAs = ca.Pool()
	}
	return o, nil
}

// dial connects off the UI goroutine and starts listening.
func (c *mqttClient) dial() {
	addr := c.pane.addr.value()
	opts, err := c.options()
	if err != nil {
		c.fail(err)
		return
	}
	c.errText.Hide()
	c.state.SetText("connecting to " + addr + " …")
	var cl *mqttclient.Client
	c.runThen("", withTimeout(func(ctx context.Context) (err error) {
		cl, err = mqttclient.Connect(ctx, addr, opts)
		return err
	}), func(err error) {
		if err != nil {
			c.state.SetText("not connected")
			return
		}
		c.client = cl
		how := "clean session"
		if opts.KeepSession {
			how = "session kept"
		}
		if opts.Will != nil {
			how += " · will on " + opts.Will.Topic
		}
		c.connected(addr, fmt.Sprintf("connected as %s · %s", opts.ClientID, how), cl.Conversation())
		go c.listen(cl)
		c.update()
	})
}

// listen adds what the broker delivers to the transcript until the connection ends.
func (c *mqttClient) listen(cl *mqttclient.Client) {
	for m := range cl.Receive() {
		c.received(m.At, mqttLine(m.Topic, m.QoS, m.Retained, m.Dup, m.Payload))
	}
	note := "disconnected: DISCONNECT sent, so the broker discards the will"
	switch err := cl.Err(); {
	case errors.Is(err, mqttclient.ErrDropped):
		note = "dropped without DISCONNECT: the broker publishes the will"
	case err != nil:
		note = strings.TrimPrefix(err.Error(), "mqttclient: ")
	}
	c.note(note)
	c.ended.Store(cl)
	c.ctx.Changed()
}

// mqttLine is how a publication shows in a client's transcript:
// "lab/sensors/t1 · QoS 1 · retained ▸ 21.5".
func mqttLine(topic string, qos byte, retained, dup bool, data []byte) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "%s · QoS %d", topic, qos)
	if retained {
		b.WriteString(" · retained")
	}
	if dup {
		b.WriteString(" · DUP")
	}
	b.WriteString(" ▸ ")
	return append([]byte(b.String()), data...)
}

func (c *mqttClient) sub() {
	cl, f, qos := c.client, strings.TrimSpace(c.filter.Text), qosOf(c.subQoS)
	if err := mqttclient.CheckFilter(f); err != nil {
		c.fail(err)
		return
	}
	c.errText.Hide()
	var granted byte
	c.run("", withTimeout(func(ctx context.Context) (err error) {
		granted, err = cl.Subscribe(ctx, f, qos)
		return err
	}), func() {
		note := fmt.Sprintf("subscribed to %s · QoS %d granted", f, granted)
		if granted != qos {
			note += fmt.Sprintf(" (asked %d)", qos)
		}
		c.note(note)
		c.update()
	})
}

func (c *mqttClient) unsub() {
	cl, f := c.client, strings.TrimSpace(c.filter.Text)
	c.errText.Hide()
	c.run("", withTimeout(func(ctx context.Context) error { return cl.Unsubscribe(ctx, f) }), func() {
		c.note("unsubscribed from " + f)
		c.update()
	})
}

// publish checks the topic and payload here, before anything is sent, then
// publishes and waits for the QoS's handshake.
func (c *mqttClient) publish(text string, hex, _ bool) {
	topic, qos, retain := strings.TrimSpace(c.topic.Text), qosOf(c.pubQoS), c.retain.Checked
	err := mqttclient.CheckTopic(topic)
	var data []byte
	if err == nil {
		data, err = payload.Parse(text, hex)
	}
	c.comp.fail(err)
	if err != nil || c.client == nil {
		return
	}
	cl := c.client
	c.run("", withTimeout(func(ctx context.Context) error { return cl.Publish(ctx, topic, data, qos, retain) }), func() {
		c.sent(mqttLine(topic, qos, retain, false, data))
		c.update()
	})
}

// end disconnects cleanly: DISCONNECT, then the connection closes.
func (c *mqttClient) end() {
	if cl := c.client; cl != nil {
		c.errText.Hide()
		c.run("", func() error { cl.Disconnect(time.Second); return nil }, nil)
	}
}

// dropConn closes the socket without DISCONNECT: the broker publishes the will.
func (c *mqttClient) dropConn() {
	if cl := c.client; cl != nil {
		c.errText.Hide()
		c.run("", func() error { cl.Drop(); return nil }, nil)
	}
}

// update shows new messages and a session's end. UI goroutine.
func (c *mqttClient) update() {
	c.out.update()
	if cl := c.ended.Load(); cl != nil && cl == c.client {
		c.client = nil
		c.state.SetText("not connected")
	}
	c.enable()
}

// close ends the session as the lab closes.
func (c *mqttClient) close() {
	if cl := c.client; cl != nil {
		go cl.Disconnect(0)
	}
}
