package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// natsStartConns is how many connections the NATS pane opens with.
const natsStartConns = 2

// natsHelp says how to speak NATS by hand: its protocol is lines of text.
const natsHelp = "By hand: nc 127.0.0.1 4222, then type CONNECT {} ⏎, SUB lab.> 1 ⏎, PUB lab.x 5 ⏎ and hello ⏎ — " +
	"the server answers +OK, MSG lab.x 1 5 and hello; answer its PING with PONG."

// natsPane is the NATS client pane: several connections side by side, each
// publishing, subscribing (with * and >, alone or in a queue group), asking
// requests and answering them, with what it received.
type natsPane struct {
	ctx   PaneContext
	addr  *addrEntry
	add   *widget.Button
	conns []*natsConn
	row   *fyne.Container
	obj   fyne.CanvasObject
}

func newNATSPane(ctx PaneContext) *natsPane {
	p := &natsPane{ctx: ctx}
	p.addr = newAddrEntry(ctx.ServerAddr)
	p.add = widget.NewButtonWithIcon("Add connection", theme.ContentAddIcon(), func() { p.addConn() })
	p.row = container.New(&columns{min: natsCardWidth})
	head := container.NewBorder(nil, nil, nil, p.add, paneTitle("CLIENTS", title(ctx.Protocol)))
	server := container.NewBorder(nil, nil, widget.NewLabel("Server"), nil, p.addr)
	p.obj = container.NewBorder(container.NewVBox(head, server, hintText(natsHelp)), nil, nil, nil, container.NewScroll(p.row))
	for range natsStartConns {
		p.addConn()
	}
	return p
}

// addConn adds a connection column, numbered after the last.
func (p *natsPane) addConn() *natsConn {
	c := newNATSConn(p, len(p.conns)+1)
	p.conns = append(p.conns, c)
	p.row.Add(card(c.obj))
	return c
}

func (p *natsPane) Object() fyne.CanvasObject { return p.obj }

// Update follows the server's address and shows what each connection received.
func (p *natsPane) Update() {
	p.addr.follow()
	for _, c := range p.conns {
		c.update()
	}
}

// Close closes every connection.
func (p *natsPane) Close() {
	for _, c := range p.conns {
		if nc := c.conn; nc != nil {
			go nc.Close()
		}
	}
}
