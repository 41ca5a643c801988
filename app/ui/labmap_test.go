package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/protocollab/protolab/app/ui/widgets"
	"github.com/protocollab/protolab/lab"
)

// TestLabMapOfTheMailLab sends a mail from alice@alpha.test to bob@beta.test
// with the SMTP pane and opens the lab map: the pane, both mail servers and the
// resolver are nodes; the pane's submission goes to alpha, alpha's relay to
// beta and its MX lookup to the resolver, in the middle column; a message
// selected in the inspector is drawn on its conversation's edge, leaving its
// sender; tapping an edge shows its conversation.
func TestLabMapOfTheMailLab(t *testing.T) {
	w := mailWindow(t)
	if s := sendFromPane(t, w, "bob@beta.test", uniqueSubject("map"), nil); s.lastErr != nil {
		t.Fatalf("send: %v", s.lastErr)
	}
	mailWait(t, w, "the relay", func() bool {
		for _, ci := range w.hub.Conversations() {
			if ci.Link.Kind == lab.LinkRelay && !ci.Live {
				return true
			}
		}
		return false
	})
	w.hub.Settle()
	w.showLabMap()
	lm := w.labMap
	t.Cleanup(func() { lm.win.Close() })
	calm(w).refresh()

	nodes := map[string]widgets.MapNode{}
	for _, n := range lm.m.Nodes() {
		nodes[n.ID] = n
	}
	for _, id := range []string{paneNode("smtp"), serverNode("smtp"), serverNode("smtp-beta"), serverNode("dns")} {
		if _, ok := nodes[id]; !ok {
			t.Errorf("no node %q among %v", id, nodes)
		}
	}
	if c := nodes[serverNode("dns")].Column; c != 1 {
		t.Errorf("the resolver is in column %d, want the middle one", c)
	}
	edge := func(from, to string) (int, widgets.MapEdge) {
		for i, e := range lm.m.Edges() {
			if e.From == from && e.To == to {
				return i, e
			}
		}
		t.Errorf("no edge %s → %s among %+v", from, to, lm.m.Edges())
		return -1, widgets.MapEdge{}
	}
	edge(paneNode("smtp"), serverNode("smtp"))
	i, relay := edge(serverNode("smtp"), serverNode("smtp-beta"))
	if !strings.HasPrefix(relay.Label, "relay") {
		t.Errorf("relay edge labelled %q", relay.Label)
	}
	edge(serverNode("smtp"), serverNode("dns"))

	if i < 0 {
		return
	}
	p, ok := lm.m.EdgePoint(i)
	if !ok {
		t.Fatal("the relay edge is not drawn")
	}
	test.TapAt(lm.m, p)
	if got := w.insp.Selected(); got != lab.ConvID(relay.Key) {
		t.Fatalf("tapping the relay edge shows conversation %d, want the relay %d", got, relay.Key)
	}
	calm(w).refresh()
	if !selectFirstMessage(w) {
		t.Fatal("the relay shows no message to select")
	}
	lm.refresh(false)
	e, _ := w.insp.SelectedRow()
	if mv := movingOf(lm); mv == nil || mv.Edge != i || mv.Forward != (e.Dir != lab.ServerToClient) {
		t.Errorf("selected %q (%s): moving %+v, want on edge %d leaving its sender", e.Msg.Summary, e.Dir, mv, i)
	}
}

// selectFirstMessage selects the first row of the shown conversation that is a
// message.
func selectFirstMessage(w *Window) bool {
	for i := 0; w.insp.SelectRow(i); i++ {
		if e, ok := w.insp.SelectedRow(); ok && e.Msg != nil {
			return true
		}
	}
	return false
}

func movingOf(lm *labMapWindow) *widgets.MapMoving { return lm.m.Moving() }

// TestLabMapFollowsNewConversations: a map opened before any traffic gains the
// edges of the conversations that follow, at the window's next refresh.
func TestLabMapFollowsNewConversations(t *testing.T) {
	w := mailWindow(t)
	w.showLabMap()
	lm := w.labMap
	t.Cleanup(func() { lm.win.Close() })
	calm(w).refresh()
	before := len(lm.m.Edges())
	if s := sendFromPane(t, w, "bob@beta.test", uniqueSubject("follow"), nil); s.lastErr != nil {
		t.Fatalf("send: %v", s.lastErr)
	}
	w.hub.Settle()
	calm(w).refresh()
	if after := len(lm.m.Edges()); after <= before {
		t.Errorf("%d edges after a mail was sent, %d before", after, before)
	}
}
