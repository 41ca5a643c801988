package inspector

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/lab"
)

// listedIDs are the conversations the list shows, in order.
func listedIDs(in *Inspector) []lab.ConvID {
	var ids []lab.ConvID
	for _, r := range in.convs.rows {
		ids = append(ids, r.info.ID)
	}
	return ids
}

// typeFilter replaces the filter entry's text at once, as pasting does.
func typeFilter(in *Inspector, s string) { in.convs.bar.entry.SetText(s) }

func TestFilterNarrowsConversationsAndMessages(t *testing.T) {
	h, reg, p := newLab(0)
	in := newTestInspector(t, h, reg)
	addr := echoServer(t, h.Tap(p))
	a := exchange(t, h.Tap(p), addr, "hello", "quit")
	b := exchange(t, h.Tap(p), addr, "hello", "RSET please", "quit")
	c := exchange(t, h.Tap(p), addr, "bye")
	for _, id := range []lab.ConvID{a, b, c} {
		waitEnded(t, h, id)
	}
	h.Settle()
	in.Update()
	if got := listedIDs(in); fmt.Sprint(got) != fmt.Sprint([]lab.ConvID{a, b, c}) {
		t.Fatalf("listed without a filter: %v, want %v", got, []lab.ConvID{a, b, c})
	}

	test.Type(in.convs.bar.entry, `text contains "rset"`) // applied as soon as it parses
	if got := listedIDs(in); fmt.Sprint(got) != fmt.Sprint([]lab.ConvID{b}) {
		t.Fatalf(`listed under text contains "rset": %v, want only %d`, got, b)
	}
	if in.Selected() != b {
		t.Errorf("shown = %d, want the newest listed %d", in.Selected(), b)
	}
	if n := in.msgs.list.Length(); n != 2 {
		t.Fatalf("message list has %d rows, want the 2 with RSET", n)
	}
	for i, want := range []string{"→ line RSET please", "← line RSET please"} {
		if got := listText(in, i); !strings.HasSuffix(got, want) {
			t.Errorf("message %d = %q, want %q", i, got, want)
		}
	}
	if n := in.seq.ArrowCount(); n != 2 {
		t.Errorf("sequence diagram has %d arrows, want the 2 rows listed", n)
	}
	in.msgs.list.Select(1)
	if !strings.Contains(in.detail.head.Text, "RSET please") || in.seq.Selected() != 1 {
		t.Errorf("selecting row 1: detail %q, diagram's selection %d; want the echoed RSET, 1", in.detail.head.Text, in.seq.Selected())
	}
	if !strings.HasPrefix(in.convs.status.Text, "1 conversation ") {
		t.Errorf("status = %q, want it to count the 1 listed", in.convs.status.Text)
	}

	// A filter of the conversation alone lists all its messages.
	in.Select(0)
	typeFilter(in, "line and fin")
	if got := listedIDs(in); len(got) != 3 {
		t.Errorf("listed under line and fin: %v, want all 3", got)
	}
	if in.Selected() != c || in.msgs.list.Length() != 2 {
		t.Errorf("shown %d with %d rows, want %d with its 2", in.Selected(), in.msgs.list.Length(), c)
	}

	// Direction narrows every conversation's rows.
	typeFilter(in, "dir == s2c && !(text == bye)")
	if got := listedIDs(in); fmt.Sprint(got) != fmt.Sprint([]lab.ConvID{a, b}) {
		t.Errorf("listed under dir == s2c && !(text == bye): %v, want %d and %d", got, a, b)
	}
	if in.Selected() != b || in.msgs.list.Length() != 3 {
		t.Errorf("shown %d with %d rows, want %d with its 3 echoes", in.Selected(), in.msgs.list.Length(), b)
	}

	// A bad filter says where and why, and changes nothing.
	before := listedIDs(in)
	typeFilter(in, "code >=")
	if !in.convs.bar.problem.Visible() || in.convs.bar.problem.Text != "at 8: a value is expected after >=" {
		t.Errorf("problem shown %v: %q, want %q", in.convs.bar.problem.Visible(), in.convs.bar.problem.Text, "at 8: a value is expected after >=")
	}
	if got := listedIDs(in); fmt.Sprint(got) != fmt.Sprint(before) || in.msgs.list.Length() != 3 {
		t.Errorf("after a bad filter: listed %v with %d rows, want %v as before with 3", got, in.msgs.list.Length(), before)
	}
	typeFilter(in, "nosuch")
	if !strings.HasPrefix(in.convs.bar.problem.Text, `at 1: no protocol or layer is called "nosuch"`) {
		t.Errorf("problem = %q, want the unknown name", in.convs.bar.problem.Text)
	}

	// Emptied, the filter shows everything again.
	typeFilter(in, "")
	if in.convs.bar.problem.Visible() {
		t.Error("the problem stays shown for an empty filter")
	}
	if got := listedIDs(in); len(got) != 3 || in.msgs.list.Length() != 2 {
		t.Errorf("without a filter: listed %v, %d rows shown; want all 3 and c's 2", got, in.msgs.list.Length())
	}
}

func TestFilterFollowsNewMessages(t *testing.T) {
	h, reg, p := newLab(0)
	in := newTestInspector(t, h, reg)
	if err := in.SetFilter(`text contains "later"`); err != nil {
		t.Fatal(err)
	}
	if in.Filter() != `text contains "later"` {
		t.Errorf("Filter() = %q", in.Filter())
	}
	addr := echoServer(t, h.Tap(p))
	a := exchange(t, h.Tap(p), addr, "now")
	waitEnded(t, h, a)
	h.Settle()
	in.Update()
	if got := listedIDs(in); len(got) != 0 {
		t.Errorf("listed %v, want none yet", got)
	}
	b := exchange(t, h.Tap(p), addr, "now", "later")
	waitEnded(t, h, b)
	h.Settle()
	in.convs.last = in.convs.last.AddDate(0, 0, -1) // due now
	in.Update()
	if got := listedIDs(in); fmt.Sprint(got) != fmt.Sprint([]lab.ConvID{b}) {
		t.Errorf("listed %v, want %d, whose message passes", got, b)
	}
	if n := in.msgs.list.Length(); n != 2 || in.seq.ArrowCount() != 2 {
		t.Errorf("%d rows and %d arrows, want the 2 with later", n, in.seq.ArrowCount())
	}
	if err := in.SetFilter("text =="); err == nil || !in.convs.bar.problem.Visible() {
		t.Errorf("SetFilter of a bad filter = %v, problem shown %v", err, in.convs.bar.problem.Visible())
	}
}

func TestFilterCompletes(t *testing.T) {
	h, reg, _ := newLab(0)
	in := newTestInspector(t, h, reg)
	e := in.convs.bar.entry
	tab := &fyne.KeyEvent{Name: fyne.KeyTab}

	test.Type(e, "li")
	e.TypedKey(tab)
	if e.Text != "li" || in.convs.bar.menu == nil || !in.convs.bar.menu.Visible() {
		t.Errorf("after li and Tab: text %q, menu shown %v; want li and a menu of line, link and live", e.Text, in.convs.bar.menu != nil && in.convs.bar.menu.Visible())
	}
	list := in.convs.bar.menu.Content.(*widget.List)
	if n := list.Length(); n != 3 {
		t.Fatalf("the list offers %d words, want line, link and live", n)
	}
	list.Select(2)
	if e.Text != "live " || in.convs.bar.menu.Visible() {
		t.Errorf("after choosing live: %q, list shown %v; want %q and the list gone", e.Text, in.convs.bar.menu.Visible(), "live ")
	}
	test.Type(e, "an")
	e.TypedKey(tab)
	test.Type(e, "te")
	e.TypedKey(tab)
	if e.Text != "live and text " {
		t.Errorf("after an, Tab, te, Tab: %q, want %q", e.Text, "live and text ")
	}
	test.Type(e, "co")
	e.TypedKey(tab)
	if e.Text != "live and text contains " {
		t.Errorf("after co, Tab: %q, want %q", e.Text, "live and text contains ")
	}
	test.Type(e, `"x"`)
	if in.convs.bar.problem.Visible() || in.convs.flt == nil || in.convs.flt.String() != `live and text contains "x"` {
		t.Errorf("the completed filter is not applied: problem %q", in.convs.bar.problem.Text)
	}
	test.Type(e, " ")
	e.TypedKey(tab)
	if !in.convs.bar.menu.Visible() {
		t.Fatal("no list of and and or after a whole test")
	}
	test.Type(e, "o")
	if in.convs.bar.menu.Visible() {
		t.Error("the list stays shown after typing on")
	}
	e.TypedKey(tab) // or, alone
	test.Type(e, "l")
	e.TypedKey(tab)
	if e.Text != `live and text contains "x" or l` || !in.convs.bar.menu.Visible() {
		t.Fatalf("after or, l and Tab: %q, list shown %v; want the list of line, link and live", e.Text, in.convs.bar.menu.Visible())
	}
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if in.convs.bar.menu.Visible() {
		t.Error("Escape leaves the list shown")
	}
}
