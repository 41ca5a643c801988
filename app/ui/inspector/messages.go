package inspector

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/lab"
)

// msgList is the virtualised list of the shown conversation's messages: time since
// the conversation's start, a direction arrow, the layer and the summary.
type msgList struct {
	list *navList
	sel  int                    // the selected row, -1 for none (kept by Inspector.selectMsg)
	row  func(i int) *lab.Event // row i of the shown conversation
	n    func() int             // rows shown
	off  func(e *lab.Event) string
}

// msgColumns are the fixed column widths (time, arrow, layer) in multiples of the text size.
var msgColumns = [3]float32{6, 1.4, 4}

func newMsgList(n func() int, row func(int) *lab.Event, off func(*lab.Event) string) *msgList {
	m := &msgList{n: n, row: row, off: off, sel: -1}
	m.list = newNavList(m.n, m.create, m.update, func() int { return m.sel })
	return m
}

func (m *msgList) create() fyne.CanvasObject {
	at := widget.NewLabel("")
	at.TextStyle.Monospace = true
	arrow := widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	layer := widget.NewLabel("")
	layer.Truncation = fyne.TextTruncateEllipsis
	summary := widget.NewLabel("")
	summary.Truncation = fyne.TextTruncateEllipsis
	return &fyne.Container{Layout: columnsLayout{}, Objects: []fyne.CanvasObject{at, arrow, layer, summary}}
}

func (m *msgList) update(i widget.ListItemID, o fyne.CanvasObject) {
	objs := o.(*fyne.Container).Objects
	at, arrow, layer, summary := objs[0].(*widget.Label), objs[1].(*widget.Label), objs[2].(*widget.Label), objs[3].(*widget.Label)
	if i < 0 || i >= m.n() {
		return
	}
	e := m.row(i)
	at.SetText(m.off(e))
	dir := e.Dir
	if dir == lab.DirNone && e.Side == lab.SideServer {
		dir = lab.ServerToClient
	}
	switch {
	case e.Kind == lab.KindError || e.Kind == lab.KindFault:
		arrow.Importance = widget.DangerImportance
	case dir == lab.ServerToClient:
		arrow.Importance = widget.SuccessImportance
	default:
		arrow.Importance = widget.HighImportance
	}
	arrow.SetText(dir.Arrow())
	layer.SetText(e.Layer)
	summary.Importance = widget.MediumImportance
	if e.Kind == lab.KindError || e.Kind == lab.KindFault {
		summary.Importance = widget.DangerImportance
	}
	summary.TextStyle.Italic = e.Msg != nil && !e.Msg.Observed
	summary.SetText(rowSummary(e))
}

// columnsLayout lays out a message row: fixed widths for all but the last object,
// which takes the rest.
type columnsLayout struct{}

func (columnsLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	text := theme.TextSize()
	x := float32(0)
	for i, o := range objs {
		w := size.Width - x
		if i < len(msgColumns) {
			w = msgColumns[i] * text
		}
		if w < 0 {
			w = 0
		}
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(w, size.Height))
		x += w
	}
}

func (columnsLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	h := float32(0)
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	text := theme.TextSize()
	return fyne.NewSize((msgColumns[0]+msgColumns[1]+msgColumns[2]+4)*text, h)
}
