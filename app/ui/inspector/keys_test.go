package inspector

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestPageMove(t *testing.T) {
	for _, tt := range []struct {
		key          fyne.KeyName
		cur, n, page int
		want         int
		ok           bool
	}{
		{fyne.KeyHome, 7, 20, 5, 0, true},
		{fyne.KeyEnd, 7, 20, 5, 19, true},
		{fyne.KeyPageDown, 7, 20, 5, 12, true},
		{fyne.KeyPageDown, 17, 20, 5, 19, true},
		{fyne.KeyPageDown, -1, 20, 5, 4, true},
		{fyne.KeyPageUp, 3, 20, 5, 0, true},
		{fyne.KeyPageUp, 12, 20, 5, 7, true},
		{fyne.KeyDown, 3, 20, 5, 0, false},
		{fyne.KeyEnd, -1, 0, 5, 0, false},
	} {
		got, ok := pageMove(tt.key, tt.cur, tt.n, tt.page)
		if got != tt.want || ok != tt.ok {
			t.Errorf("pageMove(%s, %d, %d, %d) = %d, %v; want %d, %v", tt.key, tt.cur, tt.n, tt.page, got, ok, tt.want, tt.ok)
		}
	}
}

// TestListsAnswerPageKeys shows a long conversation among others: End, Home and
// Page Down move the message list's selection (and the detail with it), and End
// and Home in the conversation table show the last and the first conversation.
func TestListsAnswerPageKeys(t *testing.T) {
	h, reg, p := newLab(0)
	in := newTestInspector(t, h, reg)
	w := test.NewTempWindow(t, in.Object())
	w.Resize(fyne.NewSize(1200, 700))
	addr := echoServer(t, h.Tap(p))
	var lines []string
	for i := range 40 {
		lines = append(lines, fmt.Sprintf("line %d", i))
	}
	first := exchange(t, h.Tap(p), addr, "hello")
	long := exchange(t, h.Tap(p), addr, lines...)
	waitEnded(t, h, first)
	waitEnded(t, h, long)
	h.Settle()
	in.Update()
	in.Select(long)

	n := in.rows()
	in.msgs.list.Resize(fyne.NewSize(400, 300)) // in view, whichever way the layout places it
	in.msgs.list.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEnd})
	if in.selMsg != n-1 {
		t.Errorf("End selected row %d, want the last, %d", in.selMsg, n-1)
	}
	in.msgs.list.TypedKey(&fyne.KeyEvent{Name: fyne.KeyHome})
	if in.selMsg != 0 {
		t.Errorf("Home selected row %d, want 0", in.selMsg)
	}
	in.msgs.list.TypedKey(&fyne.KeyEvent{Name: fyne.KeyPageDown})
	if in.selMsg <= 1 || in.selMsg >= n-1 {
		t.Errorf("Page Down from row 0 selected row %d of %d, want a page further", in.selMsg, n)
	}
	in.convs.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyHome})
	home := in.Selected()
	in.convs.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEnd})
	end := in.Selected()
	if home == end || (home != first && home != long) || (end != first && end != long) {
		t.Errorf("Home showed conversation %d and End %d; want the first and the last of %d and %d", home, end, first, long)
	}
}

// TestCellSaysItsWholeText rests the pointer on a conversation's cell: the
// status line shows the cell's whole text, and its own count again after.
func TestCellSaysItsWholeText(t *testing.T) {
	h, reg, p := newLab(0)
	in := newTestInspector(t, h, reg)
	addr := echoServer(t, h.Tap(p))
	id := exchange(t, h.Tap(p), addr, "hello")
	waitEnded(t, h, id)
	h.Settle()
	in.Update()
	status := in.convs.status.Text
	c := in.convs.createCell().(*cellLabel)
	in.convs.updateCell(widget.TableCellID{Row: in.convs.index[id], Col: 2}, c)
	c.MouseIn(nil)
	if got := in.convs.status.Text; got != c.Text || !strings.Contains(got, "→") {
		t.Errorf("with the pointer on the endpoints cell the status says %q, want %q", got, c.Text)
	}
	in.Update()
	if got := in.convs.status.Text; got != c.Text {
		t.Errorf("an update replaced the hovered text with %q", got)
	}
	c.MouseOut()
	if got := in.convs.status.Text; got != status {
		t.Errorf("after the pointer left the status says %q, want %q", got, status)
	}
}

// TestDetailStartsAtTheTop scrolls the detail's words down for one message, then
// selects another: it is read from its top.
func TestDetailStartsAtTheTop(t *testing.T) {
	h, reg, p := newLab(0)
	in := newTestInspector(t, h, reg)
	addr := echoServer(t, h.Tap(p))
	id := exchange(t, h.Tap(p), addr, "hello", "again")
	waitEnded(t, h, id)
	h.Settle()
	in.Update()
	in.Select(id)
	in.selectMsg(0, fromCode)
	in.detail.explain.Offset = fyne.NewPos(0, 120)
	in.detail.textScroll.Offset = fyne.NewPos(0, 80)
	in.selectMsg(1, fromCode)
	if in.detail.explain.Offset.Y != 0 || in.detail.textScroll.Offset.Y != 0 {
		t.Errorf("a new message's detail starts scrolled to %v and %v, want the top", in.detail.explain.Offset, in.detail.textScroll.Offset)
	}
}

// TestReplayKeepsTheRowInView steps replay through a conversation longer than
// the message list: the list scrolls with the cursor.
func TestReplayKeepsTheRowInView(t *testing.T) {
	h, reg, p := newLab(0)
	in := newTestInspector(t, h, reg)
	var lines []string
	for i := range 30 {
		lines = append(lines, fmt.Sprintf("line %d", i))
	}
	addr := echoServer(t, h.Tap(p))
	id := exchange(t, h.Tap(p), addr, lines...)
	waitEnded(t, h, id)
	h.Settle()
	in.Update()
	in.Select(id)
	in.msgs.list.Resize(fyne.NewSize(400, 200))
	in.replay.step(0, true)
	top := in.msgs.list.GetScrollOffset()
	for range in.rows() {
		in.replay.step(1, false)
	}
	if in.selMsg != in.rows()-1 || in.msgs.list.GetScrollOffset() <= top {
		t.Errorf("replay at row %d of %d, list scrolled from %v to %v: the row is out of view", in.selMsg, in.rows(), top, in.msgs.list.GetScrollOffset())
	}
}
