package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/clients/payload"
	"github.com/protocollab/protolab/clients/wsclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/websocket"
)

// wsPane is the WebSocket client: connect (with a subprotocol if wanted), send
// text or binary messages, ping, and close with a code and a reason; what came
// back is listed message by message.
type wsPane struct {
	runner
	ctx      PaneContext
	url      *addrEntry
	sub      *widget.Entry
	connect  *widget.Button
	dialErr  *widget.Label
	state    *widget.Label
	comp     *composer
	binary   *widget.Check
	ping     *widget.Button
	code     *widget.Entry
	reason   *widget.Entry
	closeBtn *widget.Button
	out      *console
	tr       transcript
	conn     *wsclient.Conn
	ended    atomic.Pointer[wsclient.Conn] // set by listen when conn has ended
	closing  bool
	obj      fyne.CanvasObject
}

func newWSPane(ctx PaneContext) *wsPane {
	p := &wsPane{ctx: ctx}
	p.url = newAddrEntry(func() string { return "ws://" + ctx.ServerAddr() + "/ws/chat" })
	p.url.SetPlaceHolder("ws://127.0.0.1:8081/ws/echo — or /ws/chat on the HTTP server's port")
	p.sub = widget.NewEntry()
	p.sub.SetPlaceHolder("none (the server agrees to chat or echo)")
	p.connect = widget.NewButtonWithIcon("Connect", theme.LoginIcon(), p.dial)
	p.connect.Importance = widget.HighImportance
	p.dialErr = widget.NewLabel("")
	p.dialErr.Importance = widget.DangerImportance
	p.dialErr.Wrapping = fyne.TextWrapWord
	p.dialErr.Hide()
	p.runner = newRunner(ctx, p.dialErr, p.enable)
	p.state = widget.NewLabel("Not connected.")

	p.comp = newComposer(p.send)
	p.comp.newline.SetChecked(false)
	p.comp.newline.Hide()
	p.binary = widget.NewCheck("As a binary frame", nil)
	p.comp.options.(*fyne.Container).Add(p.binary)
	p.ping = widget.NewButtonWithIcon("Ping", theme.ViewRefreshIcon(), p.sendPing)
	p.code = widget.NewEntry()
	p.code.SetText("1000")
	p.reason = widget.NewEntry()
	p.reason.SetPlaceHolder("a reason (optional)")
	p.closeBtn = widget.NewButtonWithIcon("Close", theme.LogoutIcon(), p.close)
	p.out = newConsole()
	p.out.show(&p.tr, false)

	head := paneTitle("CLIENT", title(ctx.Protocol))
	form := widget.NewForm(
		widget.NewFormItem("URL", p.url),
		widget.NewFormItem("Subprotocol", container.NewBorder(nil, nil, nil, p.connect, p.sub)),
	)
	closeRow := container.NewBorder(nil, nil, widget.NewLabel("Close with code"),
		p.closeBtn, container.NewGridWithColumns(2, p.code, p.reason))
	top := container.NewVBox(head, form, p.dialErr, p.state,
		p.comp.titled("SEND A MESSAGE"),
		container.NewHBox(p.ping), closeRow,
		sectionLabel("MESSAGES"))
	p.obj = container.NewBorder(top, nil, nil, nil, p.out.list)
	p.enable()
	return p
}

func (p *wsPane) Object() fyne.CanvasObject { return p.obj }

// enable turns the buttons on or off for the connection's state.
func (p *wsPane) enable() {
	open := p.conn != nil && p.conn.Err() == nil && !p.closing
	setEnabled(p.ping, open)
	setEnabled(p.closeBtn, open)
	p.comp.setEnabled(open)
	setEnabled(p.connect, !open && !p.busy)
}

// dial connects off the UI goroutine and starts listening.
func (p *wsPane) dial() {
	url := p.url.value()
	var subs []string
	for _, s := range strings.Split(p.sub.Text, ",") {
		if s = strings.TrimSpace(s); s != "" {
			subs = append(subs, s)
		}
	}
	opts := wsclient.Options{Dialer: p.ctx.Dialer(), Subprotocols: subs}
	if strings.HasPrefix(url, "wss://") {
		ca, err := labCA()
		if err != nil {
			p.fail(err)
			return
		}
		opts.RootCAs = ca.Pool()
	}
	p.state.SetText("connecting to " + url + " …")
	var conn *wsclient.Conn
	p.runThen("", func() (err error) {
		ctx, cancel := context.WithTimeout(context.Background(), dialTimeout)
		defer cancel()
		conn, err = wsclient.Dial(ctx, url, opts)
		return err
	}, func(err error) {
		if err != nil {
			p.state.SetText("Not connected.")
			return
		}
		p.dialErr.Hide()
		p.conn, p.closing = conn, false
		note := "connected (101 Switching Protocols)"
		if s := conn.Subprotocol(); s != "" {
			note += ", subprotocol " + s
		}
		p.tr.add(chunk{at: time.Now(), note: note})
		p.state.SetText("OPEN: " + url)
		if c := conn.Conversation(); c != 0 {
			p.ctx.Select(c)
		}
		go p.listen(conn)
		p.Update()
	})
}

// listen adds what the server sends to the transcript until the WebSocket ends.
func (p *wsPane) listen(conn *wsclient.Conn) {
	for m := range conn.Receive() {
		switch m.Kind {
		case wsclient.KindText, wsclient.KindBinary:
			p.tr.add(chunk{at: m.At, dir: lab.ServerToClient, data: m.Data})
		case wsclient.KindPing:
			p.tr.add(chunk{at: m.At, note: fmt.Sprintf("ping from the server (%s), answered with a pong", counted(uint64(len(m.Data)), "byte"))})
		case wsclient.KindPong:
			p.tr.add(chunk{at: m.At, note: fmt.Sprintf("pong %q", m.Data)})
		case wsclient.KindClose:
			p.tr.add(chunk{at: m.At, note: fmt.Sprintf("the server closes: %d %s%s", m.Code, closeName(m.Code), reasonText(m.Reason))})
		}
		p.ctx.Changed()
	}
	note := "closed"
	if err := conn.Err(); err != nil {
		note = "ended: " + err.Error()
	}
	p.tr.add(chunk{at: time.Now(), note: note})
	p.ended.Store(conn) // Update, on the UI goroutine, shows it
	p.ctx.Changed()
}

// closeName is a close code's name: "(normal closure)".
func closeName(code int) string {
	name, _ := websocket.CloseCodeText(code)
	if name == "" {
		return ""
	}
	return "(" + name + ")"
}

func reasonText(r string) string {
	if r == "" {
		return ""
	}
	return fmt.Sprintf(" — %q", r)
}

// send sends a text or binary message.
func (p *wsPane) send(text string, hex, _ bool) {
	c := p.conn
	if c == nil {
		p.comp.fail(fmt.Errorf("connect first: there is no WebSocket to send on"))
		return
	}
	b, err := payload.Parse(text, hex)
	if err == nil && len(b) == 0 && !p.binary.Checked {
		err = fmt.Errorf("nothing to send: type some text or hex digits")
	}
	p.comp.fail(err)
	if err != nil {
		return
	}
	binary := hex || p.binary.Checked
	p.tr.add(chunk{at: time.Now(), dir: lab.ClientToServer, data: b})
	p.ctx.Go(func() {
		var err error
		if binary {
			err = c.SendBinary(b)
		} else {
			err = c.SendText(string(b))
		}
		if err != nil {
			p.tr.add(chunk{at: time.Now(), note: "send failed: " + err.Error()})
		}
		p.ctx.Changed()
	})
	p.Update()
}

func (p *wsPane) sendPing() {
	c := p.conn
	if c == nil {
		return
	}
	payload := []byte(time.Now().Format("15:04:05.000"))
	p.tr.add(chunk{at: time.Now(), note: fmt.Sprintf("ping %q", payload)})
	p.ctx.Go(func() {
		if err := c.Ping(payload); err != nil {
			p.tr.add(chunk{at: time.Now(), note: "ping failed: " + err.Error()})
		}
		p.ctx.Changed()
	})
	p.Update()
}

// close sends a close frame with the code and reason, and waits for the server's.
func (p *wsPane) close() {
	c := p.conn
	if c == nil {
		return
	}
	code, err := strconv.Atoi(strings.TrimSpace(p.code.Text))
	if err != nil || code < 1000 || code > 4999 || code == 1005 || code == 1006 || code == 1015 {
		p.fail(fmt.Errorf("a close code is a number from 1000 to 4999 (1005, 1006 and 1015 are never sent; 1000 is a normal close, 4000–4999 are for applications)"))
		return
	}
	if len(p.reason.Text) > 123 {
		p.fail(fmt.Errorf("a close reason is at most 123 bytes (a control frame carries 125, two of them the code)"))
		return
	}
	p.dialErr.Hide()
	p.closing = true
	p.tr.add(chunk{at: time.Now(), note: fmt.Sprintf("closing: %d %s%s", code, closeName(code), reasonText(p.reason.Text))})
	reason := p.reason.Text
	p.state.SetText("CLOSING: waiting for the server's close frame")
	p.enable()
	p.Update()
	// Last: the close may finish, and listen report it, at once.
	p.ctx.Go(func() {
		if err := c.Close(code, reason); err != nil {
			p.tr.add(chunk{at: time.Now(), note: "close: " + err.Error()})
		}
		p.ctx.Changed()
	})
}

// Update follows the server's address and shows new messages, and a
// WebSocket's end.
func (p *wsPane) Update() {
	p.url.follow()
	p.out.update()
	if c := p.ended.Swap(nil); c != nil && c == p.conn {
		p.conn = nil
		p.state.SetText("CLOSED. Connect opens a new WebSocket.")
		p.enable()
	}
}

// Close drops the WebSocket.
func (p *wsPane) Close() {
	if c := p.conn; c != nil {
		go c.Close(1001, "the lab is closing")
	}
}
