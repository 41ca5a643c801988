package inspector

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/app/ui/widgets"
	"github.com/protocollab/protolab/lab"
)

// detail shows the selected message (its fields, meaning and reference, its bytes
// as text and hex side by side) or, with no message selected, the conversation;
// for TCP also the kernel's view of the connection.
type detail struct {
	head    *widget.Label
	meaning *widget.Label
	ref     *widget.Label
	fields  *fyne.Container
	kTitle  *widget.Label
	kernel  *fyne.Container
	text    *widget.Label
	hex     *widgets.HexView
	bytes   *container.Split
	split   *container.Split
	obj     fyne.CanvasObject

	kernelOn   bool
	kernelLive bool // the view shown was read live
}

func newDetail() *detail {
	d := &detail{
		head:    widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		meaning: widget.NewLabel(""),
		ref:     widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Italic: true}),
		fields:  container.New(layout.NewFormLayout()),
		kTitle:  widget.NewLabelWithStyle("Kernel's view (TCP_INFO)", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		kernel:  container.New(layout.NewFormLayout()),
		text:    widget.NewLabel(""),
		hex:     widgets.NewHexView(),
	}
	d.head.Wrapping = fyne.TextWrapWord
	d.meaning.Wrapping = fyne.TextWrapWord
	d.ref.Wrapping = fyne.TextWrapWord
	d.text.TextStyle.Monospace = true
	d.kTitle.Hide()
	d.kernel.Hide()
	info := container.NewVScroll(container.NewVBox(d.head, d.meaning, d.ref, d.fields, d.kTitle, d.kernel))
	d.bytes = container.NewHSplit(container.NewScroll(d.text), container.NewHScroll(d.hex))
	d.bytes.Offset = 0.4
	// Beside each other: the detail sits under the message list, wide and short.
	d.split = container.NewHSplit(info, d.bytes)
	d.split.Offset = 0.45
	d.obj = d.split
	d.clear("Select a conversation to see its messages.")
	return d
}

// clear shows only a hint.
func (d *detail) clear(hint string) {
	setText(d.head, hint)
	setText(d.meaning, "")
	setText(d.ref, "")
	setForm(d.fields, nil)
	d.setBytes(nil)
}

// showMessage shows row e of a conversation that began at start.
func (d *detail) showMessage(e *lab.Event, start time.Time, info lab.ConvInfo) {
	who := map[lab.Dir]string{lab.ClientToServer: "client → server", lab.ServerToClient: "server → client"}[e.Dir]
	if who == "" {
		who = "seen by the " + e.Side.String()
	}
	head := fmt.Sprintf("%s   %s · %s · %s", rowSummary(e), who, e.Layer, fmtOffset(e.At.Sub(start)))
	var fields []lab.Field
	var raw []byte
	m := e.Msg
	switch {
	case m != nil:
		if m.Handshake {
			head += " · handshake"
		}
		if m.Teardown {
			head += " · teardown"
		}
		if !m.Observed {
			head += " · inferred (not seen as bytes)"
		}
		setText(d.meaning, m.Meaning)
		setText(d.ref, m.Ref)
		fields = m.Fields
		if m.NextState != "" {
			fields = append(append([]lab.Field(nil), fields...), lab.Field{Name: "next state", Value: m.NextState})
		}
		raw = m.Raw
	default:
		setText(d.meaning, e.Text)
		setText(d.ref, "")
	}
	setText(d.head, head)
	setForm(d.fields, fields)
	d.setBytes(raw)
}

// showConv shows a conversation with no message selected: what opened and closed it,
// and how many of its first messages the capture limit has dropped.
func (d *detail) showConv(info lab.ConvInfo, notes []lab.Event, lost int) {
	setText(d.head, fmt.Sprintf("#%d %s  %s → %s  %s", info.ID, info.Protocol, info.Client, info.Server, convState(info)))
	var lines []string
	for _, n := range notes {
		lines = append(lines, fmt.Sprintf("%s  %s: %s", n.At.Format("15:04:05.000"), n.Kind, n.Text))
	}
	setText(d.meaning, strings.Join(lines, "\n"))
	setText(d.ref, "Select a message (in the list or the sequence diagram) to see its fields, meaning and bytes.")
	fields := []lab.Field{
		{Name: "started", Value: info.Start.Format("15:04:05.000")},
		{Name: "duration", Value: fmtDuration(info.Duration(time.Now()))},
		{Name: "bytes client → server", Value: fmt.Sprint(info.BytesC2S)},
		{Name: "bytes server → client", Value: fmt.Sprint(info.BytesS2C)},
		{Name: "messages", Value: fmt.Sprint(info.Messages)},
	}
	if lost > 0 {
		fields = append(fields, lab.Field{Name: "dropped", Value: fmt.Sprintf("the first %d messages (capture limit)", lost)})
	}
	if l := info.Link; l.Linked() {
		name := "part of"
		if l.Kind == lab.LinkLookup {
			name = "address from lookup"
		}
		fields = append(fields, lab.Field{Name: name, Value: fmt.Sprintf("#%d (%s)", l.Parent, l.Text())})
	}
	setForm(d.fields, fields)
	d.setBytes(nil)
}

// setBytes shows raw as text and hex side by side.
func (d *detail) setBytes(raw []byte) {
	setText(d.text, printable(raw))
	if len(raw) == 0 && len(d.hex.Data()) == 0 {
		return // nothing to clear, and the hex view may not be drawn yet
	}
	d.hex.SetData(raw)
}

// setKernel shows the kernel's view of a TCP connection, or hides it (info.Kernel
// nil). Only a view just read from an open socket is shown as live; any other, and
// every view of a conversation that has ended, is the last seen while it was open.
func (d *detail) setKernel(info lab.ConvInfo) {
	k := info.Kernel
	d.kernelLive = k != nil && info.KernelLive
	if k == nil {
		if d.kernelOn {
			d.kTitle.Hide()
			d.kernel.Hide()
			d.kernelOn = false
		}
		return
	}
	fields := k.Fields()
	title := "Kernel's view (TCP_INFO, live)"
	if !d.kernelLive {
		title = "Kernel's view (TCP_INFO, last seen while open)"
		for i := range fields {
			if fields[i].Name == lab.FieldKernelState {
				fields[i].Value = "last seen while open: " + fields[i].Value
			}
		}
	}
	setText(d.kTitle, title)
	setForm(d.kernel, fields)
	if !d.kernelOn {
		d.kTitle.Show()
		d.kernel.Show()
		d.kernelOn = true
	}
}

// setForm fills a form-layout container with name/value labels, reusing them.
func setForm(c *fyne.Container, fields []lab.Field) {
	need := 2 * len(fields)
	for len(c.Objects) < need {
		name := widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
		value := widget.NewLabel("")
		value.Wrapping = fyne.TextWrapWord
		c.Objects = append(c.Objects, name, value)
	}
	if len(c.Objects) == need {
		for i, f := range fields {
			setText(c.Objects[2*i].(*widget.Label), f.Name)
			setText(c.Objects[2*i+1].(*widget.Label), f.Value)
		}
		return
	}
	c.Objects = c.Objects[:need]
	for i, f := range fields {
		setText(c.Objects[2*i].(*widget.Label), f.Name)
		setText(c.Objects[2*i+1].(*widget.Label), f.Value)
	}
	c.Refresh()
}

// setText changes a label's text only when it differs: setting text costs a layout.
func setText(l *widget.Label, s string) {
	if l.Text != s {
		l.SetText(s)
	}
}
