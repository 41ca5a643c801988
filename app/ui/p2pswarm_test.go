package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// startSwarm shows the swarm tab, starts n peers sharing a 256 KiB sample
// (16 pieces of 16 KiB) and waits until they all joined.
func startSwarm(t *testing.T, n string) (*Window, *p2pSwarm) {
	t.Helper()
	w, p := p2pTestPane(t, true)
	p.tabs.SelectIndex(3)
	sw := p.swarm
	sw.setFile("test.bin", p2pSample(256<<10))
	sw.count.SetSelected(n)
	test.Tap(sw.start)
	waitFor(t, w, "the peers joined", func() bool {
		if !sw.busy && sw.status.Importance == widget.DangerImportance {
			t.Fatalf("starting the swarm failed: %s", sw.status.Text)
		}
		return !sw.busy && len(sw.peerRows) > 0
	})
	if got := len(sw.peerRows[0].cells); got != 16 {
		t.Fatalf("%d cells a row, want 16 pieces", got)
	}
	return w, sw
}

// waitDone waits for the line that says every remaining peer has the file.
func waitDone(t *testing.T, w *Window, sw *p2pSwarm) {
	t.Helper()
	waitFor(t, w, "every remaining peer complete", func() bool {
		return sw.done.Visible() && strings.Contains(sw.done.Text, "verified at each")
	})
}

// TestP2PSwarmShares: four peers share a file; every one ends complete and
// verified, the downloads add up to three files and the uploads to as much,
// and the log names transfers between several pairs.
func TestP2PSwarmShares(t *testing.T) {
	w, sw := startSwarm(t, "4")
	waitDone(t, w, sw)
	if !strings.Contains(sw.done.Text, "(A, B, C, D)") || sw.done.Importance != widget.SuccessImportance {
		t.Errorf("the done line %q, want A to D verified, in green", sw.done.Text)
	}
	v := sw.snapshot()
	var up, down int64
	for i, st := range v.stats {
		up += st.Uploaded
		down += st.Downloaded
		if text := sw.peerRows[i].stats.Text; !strings.Contains(text, "16/16 pieces (100%)") {
			t.Errorf("peer %s's row says %q, want 16/16 pieces", swarmPeer(i), text)
		}
		for p, c := range sw.peerRows[i].cells {
			if c.FillColor == sw.peerRows[i].emptyColor() {
				t.Errorf("peer %s's piece %d is not coloured", swarmPeer(i), p)
			}
		}
	}
	if want := int64(3 * 256 << 10); down != want || up != want {
		t.Errorf("downloads %d, uploads %d bytes; want %d each", down, up, want)
	}
	pairs := map[string]bool{}
	for _, line := range v.lines {
		if _, pair, ok := strings.Cut(line, ": "); ok && strings.Contains(pair, "→") {
			pairs[strings.Fields(pair)[0]+strings.Fields(pair)[2]] = true
		}
	}
	if len(pairs) < 2 {
		t.Errorf("the log names %d pairs, want at least 2:\n%s", len(pairs), sw.log.Text)
	}
	test.Tap(sw.stop)
	w.refresh()
	if sw.live() || sw.start.Disabled() {
		t.Error("Stop all left the swarm live, or Start off")
	}
}

// TestP2PSwarmStopPeer: a peer stopped as soon as the swarm runs; the others
// end complete and verified, and the line names it stopped.
func TestP2PSwarmStopPeer(t *testing.T) {
	w, sw := startSwarm(t, "4")
	test.Tap(sw.peerRows[3].stop)
	waitDone(t, w, sw)
	if !strings.Contains(sw.done.Text, "(A, B, C)") || !strings.Contains(sw.done.Text, "stopped: D") {
		t.Errorf("the done line %q, want A to C verified and D stopped", sw.done.Text)
	}
	if text := sw.peerRows[3].stats.Text; !strings.HasPrefix(text, "stopped") || !sw.peerRows[3].stop.Disabled() {
		t.Errorf("D's row says %q, its Stop on: want it stopped", text)
	}
}

// TestP2PSwarmServerOff: with the P2P server off, Start says to switch it on.
func TestP2PSwarmServerOff(t *testing.T) {
	w, p := p2pTestPane(t, false)
	p.tabs.SelectIndex(3)
	test.Tap(p.swarm.start)
	w.refresh()
	if s := p.swarm.status; !strings.Contains(s.Text, "P2P server is off") || s.Importance != widget.DangerImportance || !s.Visible() {
		t.Errorf("status %q, want the P2P server off, in red", s.Text)
	}
}
