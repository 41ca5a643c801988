package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// mqttStartClients is how many clients the MQTT pane opens with: one to
// publish, one to subscribe.
const mqttStartClients = 2

// mqttPane is the MQTT client pane: several clients side by side, each with its
// own session at the broker (connect with a will, subscribe, publish, what it
// received, disconnect or drop), so a person watches one publication fan out.
type mqttPane struct {
	ctx     PaneContext
	tls     bool // MQTT over TLS, verified against the lab CA
	addr    *addrEntry
	add     *widget.Button
	clients []*mqttClient
	row     *fyne.Container
	obj     fyne.CanvasObject
}

// mqttOptions is what the MQTT pane knows of its protocol from its
// registration: whether it speaks TLS.
type mqttOptions struct{ TLS bool }

func (o mqttOptions) newPane(ctx PaneContext) *mqttPane {
	p := &mqttPane{ctx: ctx, tls: o.TLS}
	p.addr = newAddrEntry(ctx.ServerAddr)
	p.add = widget.NewButtonWithIcon("Add client", theme.ContentAddIcon(), func() { p.addClient() })
	p.row = container.New(&columns{min: mqttCardWidth})
	head := container.NewBorder(nil, nil, nil, p.add, paneTitle("CLIENTS", title(ctx.Protocol)))
	var note fyne.CanvasObject
	if p.tls {
		note = widget.NewLabel("TLS, the lab CA")
	}
	broker := container.NewBorder(nil, nil, widget.NewLabel("Broker"), note, p.addr)
	p.obj = container.NewBorder(container.NewVBox(head, broker), nil, nil, nil, container.NewScroll(p.row))
	for range mqttStartClients {
		p.addClient()
	}
	return p
}

// addClient adds a client column, numbered after the last.
func (p *mqttPane) addClient() *mqttClient {
	c := newMQTTClient(p, len(p.clients)+1)
	p.clients = append(p.clients, c)
	p.row.Add(card(c.obj))
	return c
}

func (p *mqttPane) Object() fyne.CanvasObject { return p.obj }

// Update follows the broker's address and shows what each client received.
func (p *mqttPane) Update() {
	p.addr.follow()
	for _, c := range p.clients {
		c.update()
	}
}

// Close ends every client's session.
func (p *mqttPane) Close() {
	for _, c := range p.clients {
		c.close()
	}
}

// columns lays its objects out side by side, each as tall as the space and as
// wide as the widest needs, at least min; wider space is shared evenly.
type columns struct{ min float32 }

// width is the least width of one column.
func (l *columns) width(objs []fyne.CanvasObject) float32 {
	w := l.min
	for _, o := range objs {
		w = max(w, o.MinSize().Width)
	}
	return w
}

func (l *columns) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var h float32
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	n := float32(len(objs))
	return fyne.NewSize(n*l.width(objs)+max(n-1, 0)*theme.Padding(), h)
}

func (l *columns) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if len(objs) == 0 {
		return
	}
	pad := theme.Padding()
	n := float32(len(objs))
	w := max(l.width(objs), (size.Width-(n-1)*pad)/n)
	for i, o := range objs {
		o.Move(fyne.NewPos(float32(i)*(w+pad), 0))
		o.Resize(fyne.NewSize(w, size.Height))
	}
}
