package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/clients/daytimeclient"
)

// daytimeNote says what a person should watch for.
const daytimeNote = "The client connects and says nothing; the server sends the time as one line and " +
	"closes first. Watch the inspector: the server's FIN comes before the client's."

// daytimePane is the Daytime client: ask the server the time, and see its
// answer and how long the exchange took.
type daytimePane struct {
	runner
	ctx    PaneContext
	addr   *addrEntry
	ask    *widget.Button
	status *widget.Label
	answer *widget.Label
	obj    fyne.CanvasObject
}

func newDaytimePane(ctx PaneContext) *daytimePane {
	p := &daytimePane{ctx: ctx}
	p.addr = newAddrEntry(ctx.ServerAddr)
	p.ask = widget.NewButtonWithIcon("Ask the time", theme.HistoryIcon(), p.get)
	p.ask.Importance = widget.HighImportance
	p.status = widget.NewLabel("not asked yet")
	p.status.Wrapping = fyne.TextWrapWord
	p.answer = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	p.answer.Wrapping = fyne.TextWrapWord
	p.runner = newRunner(ctx, p.status, func() { setEnabled(p.ask, !p.busy) })
	note := widget.NewLabel(daytimeNote)
	note.Wrapping = fyne.TextWrapWord
	top := container.NewVBox(paneTitle("CLIENT", title(ctx.Protocol)),
		container.NewBorder(nil, nil, widget.NewIcon(theme.InfoIcon()), nil, note),
		container.NewBorder(nil, nil, widget.NewLabel("Server"), p.ask, p.addr),
		p.status, sectionLabel("ANSWER"))
	p.obj = container.NewBorder(top, nil, nil, nil, container.NewScroll(p.answer))
	return p
}

func (p *daytimePane) Object() fyne.CanvasObject { return p.obj }

// get asks the server the time, off the UI goroutine.
func (p *daytimePane) get() {
	server, dialer := p.addr.value(), p.ctx.Dialer()
	var a daytimeclient.Answer
	p.runThen("asking "+server, func() (err error) {
		ctx, cancel := context.WithTimeout(context.Background(), dialTimeout)
		defer cancel()
		a, err = daytimeclient.Get(ctx, dialer, server)
		return err
	}, func(err error) {
		if a.Conv != 0 {
			p.ctx.Select(a.Conv)
		}
		if err != nil {
			p.answer.SetText("")
			return
		}
		p.status.SetText(fmt.Sprintf("%s in %v; the server closed the connection.", counted(uint64(len(a.Raw)), "byte"), a.Took.Round(10*time.Microsecond)))
		p.answer.SetText(a.Text)
	})
}

// Update follows the server's address.
func (p *daytimePane) Update() { p.addr.follow() }

// Close has nothing to end: each answer's connection closes with it.
func (p *daytimePane) Close() {}
