package inspector

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The inspector's lists answer Page Up, Page Down, Home and End as a desktop
// list does: they move the selection by a page of rows (the rows in view), or to
// the first or the last row, and scroll it into view. The other keys (the arrows)
// are the toolkit's.

// pageMove is where key moves a selection at cur (-1: none) in a list of n rows
// of which page are in view; ok is false for a key this does not handle.
func pageMove(key fyne.KeyName, cur, n, page int) (to int, ok bool) {
	if n == 0 {
		return 0, false
	}
	page = max(page, 1)
	switch key {
	case fyne.KeyHome:
		return 0, true
	case fyne.KeyEnd:
		return n - 1, true
	case fyne.KeyPageDown:
		if cur < 0 {
			return min(page-1, n-1), true
		}
		return min(cur+page, n-1), true
	case fyne.KeyPageUp:
		return max(cur-page, 0), true
	}
	return 0, false
}

// navList is a widget.List with Page Up, Page Down, Home and End.
type navList struct {
	widget.List
	current func() int // the selected row, -1 for none
	rowH    float32    // a row's height, measured from the first template
}

func newNavList(n func() int, create func() fyne.CanvasObject, update func(widget.ListItemID, fyne.CanvasObject), current func() int) *navList {
	l := &navList{current: current}
	l.Length, l.CreateItem, l.UpdateItem = n, create, update
	l.ExtendBaseWidget(l)
	return l
}

// TypedKey handles the page keys and hands the others to the list.
func (l *navList) TypedKey(ev *fyne.KeyEvent) {
	if l.rowH == 0 {
		l.rowH = l.CreateItem().MinSize().Height + theme.Padding()
	}
	page := int(l.Size().Height / max(l.rowH, 1))
	if to, ok := pageMove(ev.Name, l.current(), l.Length(), page); ok {
		l.Select(to)
		l.ScrollTo(to)
		return
	}
	l.List.TypedKey(ev)
}

// navTable is a widget.Table whose page keys move the row selection.
type navTable struct {
	widget.Table
	current func() widget.TableCellID // the selected cell; Row -1 for none
	rowH    float32                   // a row's height, measured from the first template
}

func newNavTable(size func() (int, int), create func() fyne.CanvasObject, update func(widget.TableCellID, fyne.CanvasObject), current func() widget.TableCellID) *navTable {
	t := &navTable{current: current}
	t.Length, t.CreateCell, t.UpdateCell = size, create, update
	t.ExtendBaseWidget(t)
	return t
}

// TypedKey handles the page keys and hands the others to the table.
func (t *navTable) TypedKey(ev *fyne.KeyEvent) {
	rows, _ := t.Length()
	if t.rowH == 0 {
		t.rowH = t.CreateCell().MinSize().Height + theme.Padding()
	}
	page := int(t.Size().Height/max(t.rowH, 1)) - 1 // the header row takes one
	cur := t.current()
	if to, ok := pageMove(ev.Name, cur.Row, rows, page); ok {
		id := widget.TableCellID{Row: to, Col: max(cur.Col, 0)}
		t.Select(id)
		t.ScrollTo(id)
		return
	}
	t.Table.TypedKey(ev)
}
