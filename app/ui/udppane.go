package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/clients/payload"
	"github.com/protocollab/protolab/clients/udpclient"
	"github.com/protocollab/protolab/lab"
)

// udpNote says what a person must know before sending a datagram.
const udpNote = "UDP has no connection: nothing is opened or closed. Each datagram stands alone; " +
	"a reply comes back only if the server sends one, and a lost datagram is simply gone."

// udpPane is the UDP client: send datagrams to a target and see the replies.
// One local socket serves every datagram to the same target, so the server sees
// one flow; a new target gets a new socket.
type udpPane struct {
	runner
	ctx     PaneContext
	addr    *addrEntry
	local   *widget.Label
	conn    *udpclient.Conn
	target  string
	tr      *transcript
	comp    *composer
	hexView *widget.Check
	out     *console
	obj     fyne.CanvasObject
}

func newUDPPane(ctx PaneContext) *udpPane {
	p := &udpPane{ctx: ctx, tr: &transcript{}}
	p.addr = newAddrEntry(ctx.ServerAddr)
	p.local = widget.NewLabel("no socket yet: the first datagram opens one")
	p.local.SizeName = theme.SizeNameCaptionText
	note := widget.NewLabel(udpNote)
	note.Wrapping = fyne.TextWrapWord
	note.Importance = widget.WarningImportance
	p.comp = newComposer(p.send)
	p.runner = newRunner(ctx, p.comp.errText, nil)
	p.out = newConsole()
	p.hexView = widget.NewCheck("Hex dump", func(on bool) { p.out.show(p.tr, on) })
	head := paneTitle("CLIENT", title(ctx.Protocol))
	top := container.NewVBox(head,
		container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), nil, note),
		container.NewBorder(nil, nil, widget.NewLabel("Target"), nil, p.addr), p.local,
		p.comp.titled("SEND A DATAGRAM"),
		container.NewBorder(nil, nil, sectionLabel("DATAGRAMS AND REPLIES"), p.hexView))
	p.obj = container.NewBorder(top, nil, nil, nil, p.out.list)
	p.out.show(p.tr, false)
	return p
}

func (p *udpPane) Object() fyne.CanvasObject { return p.obj }

// send sends one datagram, opening a socket for a new target first.
func (p *udpPane) send(text string, hex, newline bool) {
	b, err := payload.Parse(text, hex)
	if err == nil && !hex && newline {
		b = append(b, '\n')
	}
	if err == nil && len(b) == 0 {
		err = fmt.Errorf("nothing to send: type some text or hex digits")
	}
	p.comp.fail(err)
	if err != nil || p.busy {
		return
	}
	target := p.addr.value()
	if p.conn != nil && p.target == target {
		p.sendOn(p.conn, b)
		return
	}
	old := p.conn
	p.conn = nil
	tr := p.tr
	var conn *udpclient.Conn
	p.run("", func() (err error) {
		if old != nil {
			_ = old.Close()
		}
		ctx, cancel := context.WithTimeout(context.Background(), dialTimeout)
		defer cancel()
		conn, err = udpclient.Dial(ctx, target, udpclient.Options{
			Tap: p.ctx.Tap,
			OnData: func(b []byte) {
				tr.add(chunk{at: time.Now(), dir: lab.ServerToClient, data: b})
				p.ctx.Changed()
			},
			OnError: func(err error) {
				tr.add(chunk{at: time.Now(), note: err.Error()})
				p.ctx.Changed()
			},
		})
		return err
	}, func() {
		p.conn, p.target = conn, target
		setText(p.local, fmt.Sprintf("from %s to %s", conn.LocalAddr(), target))
		p.sendOn(conn, b)
	})
}

func (p *udpPane) sendOn(c *udpclient.Conn, b []byte) {
	p.tr.add(chunk{at: time.Now(), dir: lab.ClientToServer, data: b})
	if err := c.Send(b); err != nil {
		p.tr.add(chunk{at: time.Now(), note: "send failed: " + err.Error()})
	}
	if conv := c.Conversation(); conv != 0 {
		p.ctx.Select(conv)
	}
	p.Update()
}

// Update follows the server's address and shows new replies.
func (p *udpPane) Update() {
	p.addr.follow()
	p.out.update()
}

// Close closes the socket.
func (p *udpPane) Close() {
	if p.conn != nil {
		_ = p.conn.Close()
	}
}
