package inspector

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/filter"
)

// allProtocols is the filter's choice that shows every protocol.
const allProtocols = "all"

// convSamples are typical widest contents of the conversation list's columns, chosen
// so that every column but the start time fits the list's share of a 1400-wide
// window; a rarer longer cell ends in an ellipsis, and the
// detail's header says it in full.
var convSamples = []string{"└ 99", "https", ":65535 → :65535", "FIN · client first", "999 ms", "99.9k / 99.9k", "00:00:00"}

// convList is the conversation list: a protocol filter, the display filter, a
// table of conversations (children indented under their parent) and a status line.
type convList struct {
	hub    *lab.Hub
	table  *navTable
	filter *widget.Select
	bar    *filterBar
	status *widget.Label
	obj    fyne.CanvasObject

	proto string // "" for all
	flt   *filter.Filter
	// passes says whether conversation c (linked under parent, when known)
	// passes flt through one of its messages; nil: none does.
	passes func(c, parent *lab.ConvInfo) bool
	all    []lab.ConvInfo
	byID   map[lab.ConvID]int // index in all of each conversation
	rows   []convRow
	index  map[lab.ConvID]int // row of each listed conversation
	newest lab.ConvID         // the newest listed conversation
	live   int
	now    time.Time
	last   time.Time // of the last full refresh

	selected lab.ConvID
	selCell  widget.TableCellID // the table's selected cell; Row -1 for none
	hovered  string             // the whole text of the cell under the pointer, shown in the status line
	dropped  uint64             // the events dropped, as the status line last said
	syncing  bool
	onSelect func(id lab.ConvID) // a person chose a row
	onFilter func()              // the filter changed
}

func newConvList(hub *lab.Hub, reg *lab.Registry) *convList {
	l := &convList{hub: hub, index: make(map[lab.ConvID]int), byID: make(map[lab.ConvID]int), now: time.Now(), selCell: widget.TableCellID{Row: -1}}
	options := []string{allProtocols}
	if reg != nil {
		options = append(options, reg.Names()...)
	}
	l.filter = widget.NewSelect(options, func(s string) {
		if s == allProtocols {
			s = ""
		}
		if s == l.proto {
			return
		}
		l.proto = s
		l.rebuild()
		if l.onFilter != nil {
			l.onFilter()
		}
	})
	l.filter.SetSelected(allProtocols)
	l.table = newNavTable(l.size, l.createCell, l.updateCell, func() widget.TableCellID { return l.selCell })
	l.table.ShowHeaderRow = true
	l.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	l.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 && id.Col < len(convColumns) {
			o.(*widget.Label).SetText(convColumns[id.Col])
		}
	}
	pad := 2*theme.InnerPadding() + theme.Padding()
	for i, sample := range convSamples {
		w := fyne.MeasureText(sample, theme.TextSize(), fyne.TextStyle{}).Width
		head := fyne.MeasureText(convColumns[i], theme.TextSize(), fyne.TextStyle{Bold: true}).Width
		l.table.SetColumnWidth(i, max(w, head)+pad)
	}
	l.table.OnSelected = func(id widget.TableCellID) {
		l.selCell = id
		if l.syncing || id.Row < 0 || id.Row >= len(l.rows) {
			return
		}
		c := l.rows[id.Row].info.ID
		l.selected = c
		if l.onSelect != nil {
			l.onSelect(c)
		}
	}
	l.status = widget.NewLabel("")
	l.status.Truncation = fyne.TextTruncateEllipsis
	l.bar = newFilterBar(reg)
	title := container.NewBorder(nil, nil, widget.NewLabelWithStyle("Conversations", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, l.filter)
	top := container.NewVBox(title, l.bar.obj)
	l.obj = container.NewBorder(top, l.status, nil, nil, l.table)
	l.bar.relayout = func() { top.Refresh(); l.obj.Refresh() }
	return l
}

func (l *convList) size() (int, int) { return len(l.rows), len(convColumns) }

func (l *convList) createCell() fyne.CanvasObject { return newCellLabel(l.showHovered) }

// showHovered shows the whole text of the cell under the pointer in the status
// line, or the status again when the pointer left ("").
func (l *convList) showHovered(text string) {
	l.hovered = text
	if text != "" {
		l.status.SetText(text)
		return
	}
	l.setStatus(l.dropped)
}

func (l *convList) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	lb := &o.(*cellLabel).Label
	if id.Row < 0 || id.Row >= len(l.rows) {
		lb.SetText("")
		return
	}
	r := l.rows[id.Row]
	lb.Importance = widget.MediumImportance
	if id.Col == 3 {
		switch {
		case r.info.Live:
			lb.Importance = widget.SuccessImportance
		case r.info.CloseHow == lab.HowRST:
			lb.Importance = widget.WarningImportance
		}
	}
	lb.SetText(convCell(r, id.Col, l.now))
}

// due reports whether a new snapshot may be taken: with many conversations at
// most every few hundred milliseconds.
func (l *convList) due() bool {
	return time.Since(l.last) >= time.Duration(len(l.all)/1000)*10*time.Millisecond
}

// refresh takes a new snapshot of the hub's conversations.
func (l *convList) refresh() {
	l.last = time.Now()
	l.all = l.hub.Conversations()
	clear(l.byID)
	for i, c := range l.all {
		l.byID[c.ID] = i
	}
	l.rebuild()
}

// rebuild orders the snapshot under the filter and redraws the table.
func (l *convList) rebuild() {
	l.rows = orderKept(l.all, l.keep)
	clear(l.index)
	l.newest, l.live = 0, 0
	for i, r := range l.rows {
		l.index[r.info.ID] = i
		if r.info.ID > l.newest {
			l.newest = r.info.ID
		}
		if r.info.Live {
			l.live++
		}
	}
	l.now = time.Now()
	l.table.Refresh()
	l.highlight(l.selected)
}

// keep says whether c is listed: of the protocol chosen, and passing the
// display filter on its own or through one of its messages.
func (l *convList) keep(c *lab.ConvInfo) bool {
	if l.proto != "" && c.Protocol != l.proto {
		return false
	}
	if l.flt == nil {
		return true
	}
	parent := l.parent(c)
	return l.flt.Match(&filter.Subject{Conv: c, Parent: parent}) || (l.passes != nil && l.passes(c, parent))
}

// parent returns the snapshot of the conversation c is linked under, or nil.
func (l *convList) parent(c *lab.ConvInfo) *lab.ConvInfo {
	if c.Link.Parent == 0 {
		return nil
	}
	if i, ok := l.byID[c.Link.Parent]; ok {
		return &l.all[i]
	}
	return nil
}

// touch updates the listed conversations in ids (bytes, state, duration) from the hub.
func (l *convList) touch(ids map[lab.ConvID]struct{}) bool {
	changed := false
	for id := range ids {
		i, ok := l.index[id]
		if !ok {
			continue
		}
		if c := l.hub.Conversation(id); c != nil {
			l.rows[i].info = c.Info(false)
			changed = true
		}
	}
	return changed
}

// tick redraws the visible rows, so live durations move.
func (l *convList) tick() {
	l.now = time.Now()
	l.table.Refresh()
}

// highlight marks conversation id's row as selected without telling onSelect.
// A row already selected stays as it is, so the table does not scroll.
func (l *convList) highlight(id lab.ConvID) {
	l.selected = id
	l.syncing = true
	defer func() { l.syncing = false }()
	i, ok := l.index[id]
	switch {
	case !ok || id == 0:
		if l.selCell.Row >= 0 {
			l.table.UnselectAll()
			l.selCell = widget.TableCellID{Row: -1}
		}
	case i != l.selCell.Row:
		col := max(l.selCell.Col, 0)
		l.table.Select(widget.TableCellID{Row: i, Col: col})
	}
}

// info returns the listed snapshot of conversation id.
func (l *convList) info(id lab.ConvID) (lab.ConvInfo, bool) {
	if i, ok := l.index[id]; ok {
		return l.rows[i].info, true
	}
	return lab.ConvInfo{}, false
}

// setStatus shows the counts and what the capture limit cost.
func (l *convList) setStatus(dropped uint64) {
	l.dropped = dropped
	if l.hovered != "" {
		return // the status line says what the pointer rests on
	}
	s := plural(len(l.rows), "conversation") + fmt.Sprintf(" · %d live", l.live)
	if dropped > 0 {
		s += fmt.Sprintf(" · %d older events dropped (capture limit)", dropped)
	}
	if s != l.status.Text {
		l.status.SetText(s)
	}
}

// plural is "1 conversation", "2 conversations".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
