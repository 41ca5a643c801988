package inspector

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/app/ui/widgets"
	"github.com/protocollab/protolab/lab"
)

// detail shows the selected message as a packet analyser's details and bytes
// panes do, with more words: its fields as a tree under its summary, the selected
// field whole with its bytes highlighted, the message's plain-language meaning and
// reference, and its bytes as hex and as text. Selecting a field highlights the
// bytes it covers; tapping a byte selects the field that covers it. With no message
// selected it shows the conversation; for TCP also the kernel's view of the
// connection.
type detail struct {
	head    *widget.Label
	tree    *widgets.FieldTree
	field   *widget.Label // the selected field, whole, and where its bytes are
	meaning *widget.Label
	ref     *widget.Label
	kTitle  *widget.Label
	kernel  *fyne.Container
	text    *widget.Label
	hex     *widgets.HexView
	broker  *brokerView // where a message through a broker went (follow.go)
	// The scrolls of the words under the tree and of the text beside the hex:
	// each new message starts at their top.
	explain, textScroll *container.Scroll
	bytes               *container.Split
	split               *container.Split
	obj                 fyne.CanvasObject

	fields []lab.Field // the fields shown in the tree
	raw    []byte      // the bytes shown

	kernelOn   bool
	kernelLive bool // the view shown was read live
}

func newDetail() *detail {
	d := &detail{
		head:    widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		tree:    widgets.NewFieldTree(),
		field:   widget.NewLabel(""),
		meaning: widget.NewLabel(""),
		ref:     widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Italic: true}),
		kTitle:  widget.NewLabelWithStyle("Kernel's view (TCP_INFO)", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		kernel:  container.New(layout.NewFormLayout()),
		text:    widget.NewLabel(""),
		hex:     widgets.NewHexView(),
		broker:  newBrokerView(),
	}
	for _, l := range []*widget.Label{d.head, d.field, d.meaning, d.ref} {
		l.Wrapping = fyne.TextWrapWord
	}
	d.text.TextStyle.Monospace = true
	d.kTitle.Hide()
	d.kernel.Hide()
	d.tree.OnSelected = d.selectField
	d.hex.OnTapped = d.tapByte
	// Under the tree, in words: the field selected, then the message (its summary,
	// direction, layer and time), where it went through a broker, what it means
	// and where it is specified.
	d.explain = container.NewVScroll(container.NewVBox(d.field, d.head, d.broker.obj, d.meaning, d.ref, d.kTitle, d.kernel))
	info := container.NewVSplit(d.tree, d.explain)
	info.Offset = 0.6
	d.textScroll = container.NewScroll(d.text)
	d.bytes = container.NewVSplit(d.hex, d.textScroll)
	d.bytes.Offset = 0.65
	// Beside each other, the tree and its words on the left and the bytes on the
	// right, where the width gives both their room; else the bytes below the
	// tree, as Wireshark stacks its panes.
	d.split = container.NewHSplit(info, d.bytes)
	d.split.Offset = 0.45
	d.obj = container.New(&stackWhenNarrow{split: d.split, need: fieldTreeWidth + widgets.HexMinWidth()}, d.split)
	d.clear("Select a conversation to see its messages.")
	return d
}

// clear shows only a hint.
func (d *detail) clear(hint string) {
	setText(d.head, hint)
	setText(d.meaning, "")
	setText(d.ref, "")
	d.setFields("", nil, nil)
}

// showMessage shows row e of a conversation that began at start.
func (d *detail) showMessage(e *lab.Event, start time.Time, info lab.ConvInfo) {
	// A new message is read from its top, whatever the last one was scrolled to.
	defer d.explain.ScrollToTop()
	defer d.textScroll.ScrollToTop()
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
		var meaning string
		fields, meaning = m.Detail()
		setText(d.meaning, meaning)
		setText(d.ref, m.Ref)
		if m.NextState != "" {
			fields = append(append([]lab.Field(nil), fields...), lab.Field{Name: "next state", Value: m.NextState})
		}
		raw = m.Raw
	default:
		setText(d.meaning, e.Text)
		setText(d.ref, "")
	}
	setText(d.head, head)
	d.setFields(rowSummary(e), fields, raw)
}

// showConv shows a conversation with no message selected: what opened and closed it,
// and how many of its first messages the capture limit has dropped.
func (d *detail) showConv(info lab.ConvInfo, notes []lab.Event, lost int) {
	title := fmt.Sprintf("#%d %s  %s → %s  %s", info.ID, info.Protocol, info.Client, info.Server, convState(info))
	setText(d.head, title)
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
	d.setFields(fmt.Sprintf("conversation #%d (%s)", info.ID, info.Protocol), fields, nil)
}

// setFields shows fields as a tree under root, over the bytes raw they describe,
// with no field selected.
func (d *detail) setFields(root string, fields []lab.Field, raw []byte) {
	d.fields, d.raw = fields, raw
	tf := make([]widgets.TreeField, len(fields))
	for i, f := range fields {
		tf[i] = widgets.TreeField{Name: f.Name, Value: f.Value}
		if f.Spanned(raw) {
			tf[i].Off, tf[i].Len = f.Off, f.Len
		}
	}
	d.tree.Set(root, tf)
	d.setBytes(raw)
	d.showField(-1)
}

// selectField shows field i (-1: none) whole and highlights its bytes.
func (d *detail) selectField(i int) {
	d.showField(i)
}

// tapByte selects the innermost field that covers byte off, or, when none does,
// says so with the byte alone highlighted.
func (d *detail) tapByte(off int) {
	i := fieldAt(d.fields, d.raw, off)
	d.tree.Select(i)
	if i >= 0 {
		d.showField(i)
		return
	}
	if off < 0 || off >= len(d.raw) {
		return
	}
	d.hex.SetHighlight(off, 1)
	setText(d.field, fmt.Sprintf("byte %d: 0x%02x\nno field covers it", off, d.raw[off]))
}

// fieldAt is the innermost field whose span within raw covers byte off (the
// shortest; of equal ones the last, a part listed after its whole), or -1.
func fieldAt(fields []lab.Field, raw []byte, off int) int {
	best := -1
	for i, f := range fields {
		if f.Spanned(raw) && off >= f.Off && off < f.Off+f.Len && (best < 0 || f.Len <= fields[best].Len) {
			best = i
		}
	}
	return best
}

// showField says what field i is and where its bytes are, and highlights them.
func (d *detail) showField(i int) {
	if i < 0 || i >= len(d.fields) {
		d.hex.SetHighlight(0, 0)
		hint := ""
		if slices.ContainsFunc(d.fields, func(f lab.Field) bool { return f.Spanned(d.raw) }) {
			hint = "Select a field to see its bytes; tap a byte to find its field."
		}
		setText(d.field, hint)
		return
	}
	f := d.fields[i]
	where := "worked out from the message; no bytes of its own"
	if f.Spanned(d.raw) {
		where = fmt.Sprintf("bytes %d–%d (%s)", f.Off, f.Off+f.Len-1, plural(f.Len, "byte"))
		if f.Len == 1 {
			where = fmt.Sprintf("byte %d", f.Off)
		}
		if f.Len <= 16 { // few enough to read: a length, a flag byte, a TTL
			where += ": " + fmt.Sprintf("% x", f.Bytes(d.raw))
		}
		d.hex.SetHighlight(f.Off, f.Len)
	} else {
		d.hex.SetHighlight(0, 0)
	}
	setText(d.field, fmt.Sprintf("%s: %s\n%s", f.Name, f.Value, where))
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

// fieldTreeWidth is the least width the field tree and its words are given
// beside the bytes.
const fieldTreeWidth = 260

// stackWhenNarrow lays out a split side by side when the width is at least
// need, and one part above the other when it is not; the split keeps its
// offset either way.
type stackWhenNarrow struct {
	split *container.Split
	need  float32
}

func (l *stackWhenNarrow) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	if wide := size.Width >= l.need; wide != l.split.Horizontal {
		l.split.Horizontal = wide
		l.split.Refresh()
	}
	l.split.Move(fyne.NewPos(0, 0))
	l.split.Resize(size)
}

// MinSize is the stacked split's: narrow enough for any column.
func (l *stackWhenNarrow) MinSize(_ []fyne.CanvasObject) fyne.Size {
	a, b := l.split.Leading.MinSize(), l.split.Trailing.MinSize()
	return fyne.NewSize(max(a.Width, b.Width), a.Height+b.Height+theme.Padding())
}
