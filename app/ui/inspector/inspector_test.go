package inspector

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/lab"
)

// newTestInspector returns an inspector of h in a headless window.
func newTestInspector(t testing.TB, h *lab.Hub, reg *lab.Registry) *Inspector {
	t.Helper()
	test.NewTempApp(t)
	in := New(h, reg)
	w := test.NewWindow(in.Object())
	w.Resize(fyne.NewSize(1400, 500))
	t.Cleanup(w.Close)
	return in
}

// listText renders item i of the message list as a person reads it.
func listText(in *Inspector, i int) string {
	o := in.msgs.create()
	in.msgs.update(i, o)
	var parts []string
	for _, c := range o.(*fyne.Container).Objects {
		parts = append(parts, c.(*widget.Label).Text)
	}
	return strings.Join(parts, " ")
}

// convText renders the conversation list's row of id as a person reads it.
func convText(in *Inspector, id lab.ConvID) string {
	i, ok := in.convs.index[id]
	if !ok {
		return ""
	}
	var parts []string
	for col := range convColumns {
		o := in.convs.createCell()
		in.convs.updateCell(widget.TableCellID{Row: i, Col: col}, o)
		parts = append(parts, o.(*cellLabel).Text)
	}
	return strings.Join(parts, " | ")
}

func TestInspectorShowsRealExchange(t *testing.T) {
	h, reg, p := newLab(0)
	in := newTestInspector(t, h, reg)
	addr := echoServer(t, h.Tap(p))
	id := exchange(t, h.Tap(p), addr, "hello", "how are you", "quit")
	waitEnded(t, h, id)
	in.Update()

	row := convText(in, id)
	if row == "" {
		t.Fatalf("conversation %d not in the list (rows %v)", id, in.convs.rows)
	}
	for _, want := range []string{"line", " → ", "FIN · client first"} {
		if !strings.Contains(row, want) {
			t.Errorf("list row = %q, want it to contain %q", row, want)
		}
	}
	if head := in.detail.head.Text; !strings.Contains(head, "closed by client (FIN) · done") {
		t.Errorf("detail header = %q, want the whole state %q", head, "closed by client (FIN) · done")
	}
	if got := in.Selected(); got != id {
		t.Errorf("Selected = %d, want the newest %d (followed)", got, id)
	}
	wantRows := []string{"→ line hello", "← line hello", "→ line how are you", "← line how are you", "→ line quit", "← line quit"}
	if n := in.msgs.list.Length(); n != len(wantRows) {
		t.Fatalf("message list has %d items, want %d", n, len(wantRows))
	}
	for i, want := range wantRows {
		got := listText(in, i)
		if !strings.HasPrefix(got, "+") || !strings.HasSuffix(got, want) {
			t.Errorf("message %d = %q, want \"+<time> %s\"", i, got, want)
		}
	}
	if n := in.seq.ArrowCount(); n != len(wantRows) {
		t.Errorf("sequence diagram has %d arrows, want one per message (%d)", n, len(wantRows))
	}
	if got, want := in.state.Current(), h.Conversation(id).Info(false).State; got != want || got != "done" {
		t.Errorf("state diagram's current state = %q, want the conversation's %q (done)", got, want)
	}

	in.msgs.list.Select(2)
	if got := in.seq.Selected(); got != 2 {
		t.Errorf("after selecting message 2 in the list, the diagram's selection = %d", got)
	}
	if !strings.Contains(in.detail.head.Text, "how are you") || in.detail.meaning.Text != "a line of text" || in.detail.ref.Text != "RFC 862 §1" {
		t.Errorf("detail = %q / %q / %q, want message 2's summary, meaning and reference", in.detail.head.Text, in.detail.meaning.Text, in.detail.ref.Text)
	}
	if got := string(in.detail.hex.Data()); got != "how are you\n" {
		t.Errorf("hex view holds %q, want the message's bytes", got)
	}
	if got := in.detail.text.Text; got != "how are you\n" {
		t.Errorf("text view = %q", got)
	}

	in.seq.Select(5)
	in.seq.OnSelected(5) // what a tap on the sixth arrow does
	if in.selMsg != 5 {
		t.Errorf("after tapping arrow 5, the selected message = %d", in.selMsg)
	}
	if !strings.Contains(in.detail.head.Text, "quit") {
		t.Errorf("detail after tapping arrow 5 = %q, want the second quit", in.detail.head.Text)
	}
	if !in.detail.kernelOn {
		t.Errorf("no kernel view for a TCP conversation")
	}
}

func TestInspectorFollowsNewestUntilSelected(t *testing.T) {
	h, reg, p := newLab(0)
	in := newTestInspector(t, h, reg)
	addr := echoServer(t, h.Tap(p))
	first := exchange(t, h.Tap(p), addr, "hello")
	waitEnded(t, h, first)
	in.Update()
	if in.Selected() != first {
		t.Fatalf("Selected = %d, want %d", in.Selected(), first)
	}
	var chosen lab.ConvID
	in.OnSelect = func(id lab.ConvID) { chosen = id }
	second := exchange(t, h.Tap(p), addr, "hello", "quit")
	waitEnded(t, h, second)
	in.Update()
	if in.Selected() != second {
		t.Fatalf("Selected = %d, want the newest %d", in.Selected(), second)
	}
	in.convs.table.Select(widget.TableCellID{Row: in.convs.index[first], Col: 2})
	if chosen != first || in.Selected() != first {
		t.Fatalf("after choosing row of %d: OnSelect got %d, Selected %d", first, chosen, in.Selected())
	}
	if n := in.seq.ArrowCount(); n != 2 {
		t.Errorf("first conversation shows %d arrows, want 2", n)
	}
	third := exchange(t, h.Tap(p), addr, "quit")
	waitEnded(t, h, third)
	in.Update()
	if in.Selected() != first {
		t.Errorf("Selected = %d after a new conversation, want the chosen %d", in.Selected(), first)
	}
	in.Select(0)
	if in.Selected() != third {
		t.Errorf("after Select(0), Selected = %d, want the newest %d", in.Selected(), third)
	}
	in.msgs.list.Select(0) // reading a message of the followed conversation keeps it
	fourth := exchange(t, h.Tap(p), addr, "hello")
	waitEnded(t, h, fourth)
	in.Update()
	if in.Selected() != third {
		t.Errorf("Selected = %d after a new conversation while reading a message, want %d", in.Selected(), third)
	}

	h.Clear()
	in.Reset()
	if len(in.convs.rows) != 0 || in.Selected() != 0 || in.msgs.list.Length() != 0 || in.seq.ArrowCount() != 0 {
		t.Errorf("after Clear and Reset: %d rows, selected %d, %d messages, %d arrows",
			len(in.convs.rows), in.Selected(), in.msgs.list.Length(), in.seq.ArrowCount())
	}
	if strings.Contains(in.convs.status.Text, "dropped") {
		t.Errorf("status after Reset = %q, want no dropped events", in.convs.status.Text)
	}
}

func TestInspectorReportsDroppedEvents(t *testing.T) {
	h, reg, p := newLab(32 << 10)
	in := newTestInspector(t, h, reg)
	addr := echoServer(t, h.Tap(p))
	lines := make([]string, 300)
	for i := range lines {
		lines[i] = strings.Repeat("x", 100)
	}
	id := exchange(t, h.Tap(p), addr, lines...)
	waitEnded(t, h, id)
	in.Update()
	if !strings.Contains(in.convs.status.Text, "older events dropped (capture limit)") {
		t.Errorf("status = %q, want it to say older events were dropped", in.convs.status.Text)
	}
	if n := in.msgs.list.Length(); n == 0 || n != in.seq.ArrowCount() {
		t.Errorf("after drops: %d messages listed, %d arrows; want the same, non-zero", n, in.seq.ArrowCount())
	}
	// The oldest message still listed is a later echo, not the first line.
	if c := in.model.Conv(id); c == nil || c.Len() >= 600 {
		t.Errorf("conversation holds %v rows after drops, want fewer than the 600 sent", c)
	}
}

func TestInspectorRemembersSplits(t *testing.T) {
	h, reg, _ := newLab(0)
	in := newTestInspector(t, h, reg)
	in.splits[0].split.SetOffset(0.25)
	in.Update()
	if got := fyne.CurrentApp().Preferences().Float("inspector.split.conversations"); got != 0.25 {
		t.Errorf("saved split = %v, want 0.25", got)
	}
	again := New(h, reg)
	if got := again.splits[0].split.Offset; got != 0.25 {
		t.Errorf("a new inspector's split = %v, want the remembered 0.25", got)
	}
}
