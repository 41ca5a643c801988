package inspector

import (
	"strings"
	"testing"

	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/lab"
)

// linkedLanes runs a session to one server and a connection to a second server
// linked under it with link, and shows the session. It returns the inspector, the
// two conversations and the two servers' ports.
func linkedLanes(t *testing.T, link lab.Link) (in *Inspector, parent, kid lab.ConvID, port, kidPort string) {
	t.Helper()
	reg := wire.Registry()
	h := lab.NewHub(lab.HubOptions{Registry: reg})
	p := reg.Lookup("tcp") // draws the handshake and teardown
	in = newTestInspector(t, h, reg)
	addr := echoServer(t, h.Tap(p))
	kidAddr := echoServer(t, h.Tap(p))
	parent = exchange(t, h.Tap(p), addr, "hello")
	kid = exchange(t, h.Tap(p), kidAddr, "a line", "quit")
	link.Parent = parent
	h.Conversation(kid).SetLink(link)
	waitEnded(t, h, parent)
	waitEnded(t, h, kid)
	h.Settle()
	in.Update()
	in.Select(parent)
	_, port, _ = strings.Cut(addr, ":")
	_, kidPort, _ = strings.Cut(kidAddr, ":")
	return in, parent, kid, port, kidPort
}

// checkKidArrows checks that every row of kid is drawn between lanes dialler (its
// client) and listener (its server), in the row's direction, and that its FIN
// saying "the client closes first" leaves the dialler's lane.
func checkKidArrows(t *testing.T, in *Inspector, kid lab.ConvID, dialler, listener int) {
	t.Helper()
	rows, fins := 0, 0
	for i := range in.rows() {
		e := in.row(i)
		if e.Conv != kid {
			continue
		}
		rows++
		a := in.seq.ArrowAt(i)
		from, to := dialler, listener
		if a.From != dialler && a.To == dialler {
			from, to = listener, dialler
		}
		if a.From != from || a.To != to {
			t.Errorf("row %d (%q) drawn %d→%d, want between lanes %d (its client) and %d (its server)",
				i, rowSummary(e), a.From, a.To, dialler, listener)
		}
		if e.Msg != nil && e.Msg.Teardown && strings.Contains(e.Msg.Summary, "the client closes first") {
			fins++
			if a.From != dialler {
				t.Errorf("%q drawn from lane %d, want from lane %d: that connection's client", e.Msg.Summary, a.From, dialler)
			}
		}
	}
	if rows == 0 || fins != 1 {
		t.Errorf("%d rows of the linked connection and %d FINs of its client drawn, want some and one", rows, fins)
	}
}

func TestInspectorLanesOfARelayHop(t *testing.T) {
	in, session, hop, alpha, beta := linkedLanes(t, lab.Link{Kind: lab.LinkRelay, Dialler: lab.SideServer, Label: "relay to beta.test"})
	lanes := in.seq.Lanes()
	client := shortAddr(in.info.Client)
	want := []string{"client " + client, "server :" + alpha, "server :" + beta + " (relay to beta.test)"}
	if strings.Join(lanes, "|") != strings.Join(want, "|") {
		t.Fatalf("lanes = %q, want %q: the hop's client is server alpha, its server beta", lanes, want)
	}
	// The hop runs between alpha's server lane and beta's, never from the first client's.
	checkKidArrows(t, in, hop, 1, 2)
	for i := range in.rows() {
		if e, a := in.row(i), in.seq.ArrowAt(i); e.Conv == session && (min(a.From, a.To) != 0 || max(a.From, a.To) != 1) {
			t.Errorf("session row %d drawn %d→%d, want between client and server alpha", i, a.From, a.To)
		}
	}
	checkOwnLanes(t, in, hop, "server", want[2])
}

func TestInspectorLanesOfFTPData(t *testing.T) {
	for _, tc := range []struct {
		mode          string
		dialler       lab.Side
		title, suffix string // the data lane's title, before and after its port
		from          int    // the lane of the end that dialled
	}{
		{"passive", lab.SideClient, "server :", " data port (passive: client → server)", 0},
		{"active", lab.SideServer, "client :", " data port (active: server → client)", 1},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			in, _, data, port, dataPort := linkedLanes(t, lab.Link{Kind: lab.LinkData, Dialler: tc.dialler, Mode: tc.mode, Label: "RETR a.txt"})
			want := []string{"client " + shortAddr(in.info.Client), "server :" + port, tc.title + dataPort + tc.suffix}
			if lanes := in.seq.Lanes(); strings.Join(lanes, "|") != strings.Join(want, "|") {
				t.Fatalf("lanes = %q, want %q", lanes, want)
			}
			checkKidArrows(t, in, data, tc.from, 2)
			checkOwnLanes(t, in, data, tc.dialler.String(), want[2])
		})
	}
}

// checkOwnLanes shows linked conversation kid on its own and checks its lanes:
// its client named by its role in the parent (role), its server as in the
// parent's diagram (server).
func checkOwnLanes(t *testing.T, in *Inspector, kid lab.ConvID, role, server string) {
	t.Helper()
	in.Select(kid)
	want := []string{role + " " + shortAddr(in.info.Client), server}
	if lanes := in.seq.Lanes(); strings.Join(lanes, "|") != strings.Join(want, "|") {
		t.Errorf("lanes of the linked connection on its own = %q, want %q", lanes, want)
	}
	checkKidArrows(t, in, kid, 0, 1)
}
