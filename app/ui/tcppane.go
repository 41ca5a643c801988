package ui

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/clients/payload"
	"github.com/protocollab/protolab/clients/tcpclient"
	"github.com/protocollab/protolab/lab"
)

// connRows is how many connections the list shows without scrolling.
const connRows = 3

// dialTimeout bounds a client's connect.
const dialTimeout = 5 * time.Second

// How this side ended a connection.
const (
	endFIN = 1
	endRST = 2
)

// tcpPane is the TCP client: several connections to a server at once; for the
// selected one, send text or hex, see what comes back, close it with a FIN or
// abort it with an RST.
type tcpPane struct {
	runner
	ctx      PaneContext
	addr     *addrEntry
	connect  *widget.Button
	dialErr  *widget.Label
	conns    []*tcpConn
	list     *widget.List
	noConns  fyne.CanvasObject // shown in the list's place while it is empty
	sel      int               // index into conns, -1 for none
	closeBtn *widget.Button
	abortBtn *widget.Button
	comp     *composer
	hexView  *widget.Check
	out      *console
	obj      fyne.CanvasObject
}

// tcpConn is one of the pane's connections.
type tcpConn struct {
	conn       *tcpclient.Conn
	local      string
	tr         transcript
	sent, recv atomic.Int64
	ending     atomic.Int32 // how this side ended it: 0 not yet, endFIN, endRST
	out        chan []byte  // payloads waiting to be sent, in order
}

func newTCPPane(ctx PaneContext) *tcpPane {
	p := &tcpPane{ctx: ctx, sel: -1}
	p.addr = newAddrEntry(ctx.ServerAddr)
	p.connect = widget.NewButtonWithIcon("Connect", theme.LoginIcon(), p.dial)
	p.connect.Importance = widget.HighImportance
	p.dialErr = widget.NewLabel("")
	p.dialErr.Importance = widget.DangerImportance
	p.dialErr.Wrapping = fyne.TextWrapWord
	p.dialErr.Hide()
	p.runner = newRunner(ctx, p.dialErr, func() { setEnabled(p.connect, !p.busy) })

	p.list = widget.NewList(
		func() int { return len(p.conns) },
		func() fyne.CanvasObject { return newLineText() },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < len(p.conns) {
				o.(*lineText).SetText(p.conns[id].row())
			}
		},
	)
	p.list.OnSelected = func(id widget.ListItemID) { p.choose(id) }

	p.closeBtn = widget.NewButtonWithIcon("Close (FIN)", theme.LogoutIcon(), func() { p.end(false) })
	p.abortBtn = widget.NewButtonWithIcon("Abort (RST)", theme.CancelIcon(), func() { p.end(true) })
	p.abortBtn.Importance = widget.DangerImportance
	p.comp = newComposer(p.send)
	p.out = newConsole()
	p.hexView = widget.NewCheck("Hex dump", func(bool) { p.showSelected() })

	head := paneTitle("CLIENT", title(ctx.Protocol))
	connectRow := container.NewBorder(nil, nil, widget.NewLabel("Server"), p.connect, p.addr)
	p.noConns = container.NewPadded(hintText("No connection yet: Connect opens one; open several to see the server serve them at once."))
	// The list is a few rows tall: most of the height goes to what crossed.
	rowH := newLineText().MinSize().Height + theme.SeparatorThicknessSize()
	conns := container.NewVBox(
		container.NewBorder(nil, nil, sectionLabel("CONNECTIONS"), container.NewHBox(p.closeBtn, p.abortBtn)),
		container.New(&fixedHeight{h: connRows * rowH}, container.NewStack(p.list, p.noConns)))
	top := container.NewVBox(head, connectRow, p.dialErr, conns,
		p.comp.titled("SEND"),
		container.NewBorder(nil, nil, sectionLabel("WHAT CROSSED THE CONNECTION"), p.hexView))
	p.obj = container.NewBorder(top, nil, nil, nil, p.out.list)
	p.showSelected()
	return p
}

func (p *tcpPane) Object() fyne.CanvasObject { return p.obj }

// dial opens a new connection off the UI goroutine and selects it.
func (p *tcpPane) dial() {
	addr := p.addr.value()
	c := &tcpConn{out: make(chan []byte, 64)}
	opts := tcpclient.Options{
		Tap: p.ctx.Tap,
		OnData: func(b []byte) {
			c.recv.Add(int64(len(b)))
			c.tr.add(chunk{at: time.Now(), dir: lab.ServerToClient, data: b})
			p.ctx.Changed()
		},
		OnClose: func(err error) {
			var note string
			switch {
			case err != nil:
				note = err.Error()
			case c.ending.Load() == endFIN:
				note = "closed: both sides sent FIN"
			case c.ending.Load() == endRST:
				note = "aborted: this side sent RST"
			default:
				note = "the server closed its side (FIN): nothing more will arrive; Close to send this side's FIN"
			}
			c.tr.add(chunk{at: time.Now(), note: note})
			p.ctx.Changed()
		},
	}
	var conn *tcpclient.Conn
	p.run("", func() (err error) {
		ctx, cancel := context.WithTimeout(context.Background(), dialTimeout)
		defer cancel()
		conn, err = tcpclient.Dial(ctx, addr, opts)
		return err
	}, func() {
		p.dialErr.Hide()
		c.conn = conn
		c.local = conn.LocalAddr().String()
		c.tr.add(chunk{at: time.Now(), note: fmt.Sprintf("connected %s → %s", c.local, conn.RemoteAddr())})
		go c.sender()
		p.conns = append(p.conns, c)
		p.noConns.Hide()
		p.list.Refresh()
		p.list.Select(len(p.conns) - 1)
	})
}

// sender sends the connection's payloads in order, off the UI goroutine.
func (c *tcpConn) sender() {
	for {
		select {
		case b := <-c.out:
			if err := c.conn.Send(b); err != nil {
				c.tr.add(chunk{at: time.Now(), note: "send failed: " + err.Error()})
			}
		case <-c.conn.Done():
			return
		}
	}
}

// row is the connection's line in the list: "127.0.0.1:53912 · open · ↑6 B ↓6 B".
func (c *tcpConn) row() string {
	state := c.conn.State().String()
	if c.conn.Err() != nil {
		state = "reset or failed"
	}
	return fmt.Sprintf("%s · %s · ↑%s ↓%s", c.local, state, bytesText(c.sent.Load()), bytesText(c.recv.Load()))
}

func (p *tcpPane) choose(id int) {
	if id < 0 || id >= len(p.conns) {
		return
	}
	p.sel = id
	if conv := p.conns[id].conn.Conversation(); conv != 0 {
		p.ctx.Select(conv)
	}
	p.showSelected()
}

func (p *tcpPane) selected() *tcpConn {
	if p.sel < 0 || p.sel >= len(p.conns) {
		return nil
	}
	return p.conns[p.sel]
}

// showSelected points the console and the buttons at the selected connection.
func (p *tcpPane) showSelected() {
	c := p.selected()
	if c == nil {
		p.out.show(nil, false)
		p.closeBtn.Disable()
		p.abortBtn.Disable()
		p.comp.setEnabled(false)
		return
	}
	p.out.show(&c.tr, p.hexView.Checked)
	open := c.conn.State() != tcpclient.StateClosed
	for _, b := range []*widget.Button{p.closeBtn, p.abortBtn} {
		if open {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	p.comp.setEnabled(open)
}

func (p *tcpPane) send(text string, hex, newline bool) {
	c := p.selected()
	if c == nil {
		p.comp.fail(fmt.Errorf("connect first: there is no connection to send on"))
		return
	}
	b, err := payload.Parse(text, hex)
	if err == nil && !hex && newline {
		b = append(b, '\n')
	}
	if err == nil && len(b) == 0 {
		err = fmt.Errorf("nothing to send: type some text or hex digits")
	}
	p.comp.fail(err)
	if err != nil {
		return
	}
	c.sent.Add(int64(len(b)))
	c.tr.add(chunk{at: time.Now(), dir: lab.ClientToServer, data: b})
	select {
	case c.out <- b:
	default:
		p.comp.fail(fmt.Errorf("the connection is not taking data as fast as it is given: wait, or abort it"))
	}
	p.Update()
}

// end closes the selected connection gracefully (FIN) or aborts it (RST).
func (p *tcpPane) end(abort bool) {
	c := p.selected()
	if c == nil {
		return
	}
	how := int32(endFIN)
	if abort {
		how = endRST
	}
	c.ending.CompareAndSwap(0, how)
	p.ctx.Go(func() {
		if abort {
			_ = c.conn.Abort()
		} else {
			_ = c.conn.Close()
		}
		p.ctx.Changed()
	})
}

// Update refreshes the connection list and the selected connection's console.
func (p *tcpPane) Update() {
	p.addr.follow()
	if len(p.conns) > 0 {
		p.noConns.Hide()
	}
	p.list.Refresh()
	p.showSelected()
}

// Close aborts every connection still open.
func (p *tcpPane) Close() {
	for _, c := range p.conns {
		_ = c.conn.Abort()
	}
}

// fixedHeight lays out its one object with a fixed minimum height.
type fixedHeight struct{ h float32 }

func (f *fixedHeight) MinSize(objs []fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(objs[0].MinSize().Width, f.h)
}

func (f *fixedHeight) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(size)
}

// addrEntry is an address entry that follows a default (the running server's
// address) until the person edits it.
type addrEntry struct {
	widget.Entry
	def  func() string
	auto string // the default the entry last showed, "" once edited
}

func newAddrEntry(def func() string) *addrEntry {
	e := &addrEntry{def: def}
	e.ExtendBaseWidget(e)
	e.auto = def()
	e.SetText(e.auto)
	e.OnChanged = func(s string) {
		if s != e.auto {
			e.auto = ""
		}
	}
	return e
}

// follow shows the current default unless the person has typed an address.
func (e *addrEntry) follow() {
	if e.auto == "" && e.Text != "" {
		return
	}
	if d := e.def(); d != e.Text {
		e.auto = d
		e.SetText(d)
	}
}

func (e *addrEntry) value() string {
	if e.Text == "" {
		return e.def()
	}
	return e.Text
}
