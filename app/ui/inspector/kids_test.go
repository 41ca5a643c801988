package inspector

import (
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
)

// TestInspectorDrawsLinkedConnectionsOnADataLane links two connections under a
// first one, as an FTP session's data connections are: the first's diagram gets
// a data lane, and each linked connection's arrows run from whoever dialled it.
func TestInspectorDrawsLinkedConnectionsOnADataLane(t *testing.T) {
	h, reg, p := newLab(0)
	in := newTestInspector(t, h, reg)
	addr := echoServer(t, h.Tap(p))
	ctrl := exchange(t, h.Tap(p), addr, "LIST")
	passive := exchange(t, h.Tap(p), addr, "a.txt")
	h.Conversation(passive).SetLink(lab.Link{Kind: lab.LinkData, Parent: ctrl, Dialler: lab.SideClient, Mode: "passive", Label: "LIST"})
	active := exchange(t, h.Tap(p), addr, "b.txt")
	h.Conversation(active).SetLink(lab.Link{Kind: lab.LinkData, Parent: ctrl, Dialler: lab.SideServer, Mode: "active", Label: "RETR b.txt"})
	for _, id := range []lab.ConvID{ctrl, passive, active} {
		waitEnded(t, h, id)
	}
	h.Settle()
	in.Update()
	in.Select(ctrl)

	lanes := in.seq.Lanes()
	_, port, _ := strings.Cut(addr, ":")
	if len(lanes) != 4 || lanes[2] != "server :"+port+" data port (passive: client → server)" ||
		lanes[3] != "client :"+port+" data port (active: server → client)" {
		t.Fatalf("lanes = %q, want client, server and a lane for each data endpoint, saying who dialled", lanes)
	}
	want := in.model.Conv(ctrl).Len() + in.model.Conv(passive).Len() + in.model.Conv(active).Len()
	if n := in.msgs.list.Length(); n != want || in.seq.ArrowCount() != want {
		t.Fatalf("%d rows, %d arrows; want the %d rows of all three", n, in.seq.ArrowCount(), want)
	}
	lanesOf := map[lab.ConvID]map[[2]int]bool{}
	for i := range want {
		e := in.row(i)
		a := in.seq.ArrowAt(i)
		if lanesOf[e.Conv] == nil {
			lanesOf[e.Conv] = map[[2]int]bool{}
		}
		lo, hi := min(a.From, a.To), max(a.From, a.To)
		lanesOf[e.Conv][[2]int{lo, hi}] = true
		if i > 0 && in.row(i-1).Seq > e.Seq {
			t.Fatalf("row %d (seq %d) after seq %d: rows not in time order", i, e.Seq, in.row(i-1).Seq)
		}
	}
	for id, pair := range map[lab.ConvID][2]int{ctrl: {0, 1}, passive: {0, 2}, active: {1, 3}} {
		if len(lanesOf[id]) != 1 || !lanesOf[id][pair] {
			t.Errorf("conversation %d drawn between lanes %v, want only %v", id, lanesOf[id], pair)
		}
	}
	if row := convText(in, passive); !strings.Contains(row, "└") {
		t.Errorf("list row of the linked connection = %q, want it indented under its parent", row)
	}
}
