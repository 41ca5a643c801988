package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/lab"
)

// column is one client of a columnsPane: its own connection, form and transcript.
type column interface {
	object() fyne.CanvasObject
	update() // UI goroutine: show what arrived, and the connection's end
	close()  // end the connection, the pane is closing
}

// columnsPane is a client pane of several clients side by side, one column
// each, to the server at one address: the messaging panes, where a person
// watches one client's publication reach the others.
type columnsPane[C column] struct {
	ctx    PaneContext
	addr   *addrEntry
	add    *widget.Button
	cols   []C
	row    *fyne.Container
	obj    fyne.CanvasObject
	newCol func(n int) C // the column numbered n (from 1)
}

// init lays the pane out: its heading with an add button labelled addText, the
// server's address labelled addrText with note (nil: none) beside it, help
// (nil: none) under it, and start columns made by newCol.
func (p *columnsPane[C]) init(ctx PaneContext, addText, addrText string, note, help fyne.CanvasObject, start int, newCol func(int) C) {
	p.ctx, p.newCol = ctx, newCol
	p.addr = newAddrEntry(ctx.ServerAddr)
	p.add = widget.NewButtonWithIcon(addText, theme.ContentAddIcon(), func() { p.addColumn() })
	p.row = container.New(&columns{min: columnWidth})
	top := container.NewVBox(
		container.NewBorder(nil, nil, nil, p.add, paneTitle("CLIENTS", title(ctx.Protocol))),
		container.NewBorder(nil, nil, widget.NewLabel(addrText), note, p.addr))
	if help != nil {
		top.Add(help)
	}
	p.obj = container.NewBorder(top, nil, nil, nil, container.NewScroll(p.row))
	for range start {
		p.addColumn()
	}
}

// addColumn adds a column, numbered after the last.
func (p *columnsPane[C]) addColumn() C {
	c := p.newCol(len(p.cols) + 1)
	p.cols = append(p.cols, c)
	p.row.Add(card(c.object()))
	return c
}

func (p *columnsPane[C]) Object() fyne.CanvasObject { return p.obj }

// Update follows the server's address and brings each column up to date.
func (p *columnsPane[C]) Update() {
	p.addr.follow()
	for _, c := range p.cols {
		c.update()
	}
}

// Close ends every column's connection.
func (p *columnsPane[C]) Close() {
	for _, c := range p.cols {
		c.close()
	}
}

// columnWidth is the narrowest a column gets before the row scrolls.
const columnWidth = 330

// withTimeout is work bounded by dialTimeout, for a runner.
func withTimeout(work func(context.Context) error) func() error {
	return within(dialTimeout, work)
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

// colBase is what every column has: its runner, its error line, its state
// beside its heading and its transcript of what was sent and received.
type colBase struct {
	runner
	ctx     PaneContext
	errText *widget.Label // what went wrong, in red; hidden while nothing did
	state   *widget.Label // "connected to 127.0.0.1:1883"
	out     *console
	tr      transcript
}

// initBase makes the column's common parts; controls sets its buttons.
func (b *colBase) initBase(ctx PaneContext, controls func()) {
	b.ctx = ctx
	b.errText = widget.NewLabel("")
	b.errText.Importance = widget.DangerImportance
	b.errText.Wrapping = fyne.TextWrapWord
	b.errText.Hide()
	b.runner = newRunner(ctx, b.errText, controls)
	b.state = widget.NewLabel("not connected")
	b.state.Truncation = fyne.TextTruncateEllipsis
	b.state.Alignment = fyne.TextAlignTrailing
	b.out = newConsole()
	b.out.show(&b.tr, false)
}

// heading is the column's first row: its name ("CLIENT 1") and its state.
func (b *colBase) heading(name string) fyne.CanvasObject {
	l := widget.NewLabelWithStyle(strings.ToUpper(name), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	return container.NewBorder(nil, nil, l, nil, b.state)
}

// connected says that a connection to addr is open, with note in the
// transcript, and shows its conversation in the inspector.
func (b *colBase) connected(addr, note string, conv lab.ConvID) {
	b.note(note)
	b.state.SetText("connected to " + addr)
	if conv != 0 {
		b.ctx.Select(conv)
	}
}

// note adds a line about the connection to the transcript.
func (b *colBase) note(s string) { b.tr.add(chunk{at: time.Now(), note: s}) }

// received adds what arrived to the transcript, from any goroutine.
func (b *colBase) received(at time.Time, data []byte) {
	b.tr.add(chunk{at: at, dir: lab.ServerToClient, data: data})
	b.ctx.Changed()
}

// sent adds what was sent to the transcript.
func (b *colBase) sent(data []byte) {
	b.tr.add(chunk{at: time.Now(), dir: lab.ClientToServer, data: data})
}
