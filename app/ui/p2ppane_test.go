package ui

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/protocols/p2p"
)

// p2pTestPane shows the P2P workbench of a fresh window and returns its
// pane; with servers set, the P2P server runs as its switch starts it (the
// signalling server, the STUN server and the answering peer).
func p2pTestPane(t *testing.T, servers bool) (*Window, *p2pPane) {
	t.Helper()
	w := testWindow(t)
	if servers {
		for n, err := range w.bench.StartAll(w.reg.WithParts(p2p.Name)...) {
			t.Fatalf("starting %s: %v", n, err)
		}
	}
	w.selectProtocol(p2p.Name)
	w.refresh()
	var pane ClientPane = w.wb.benches[p2p.Name].client
	if parts, ok := pane.(*partsPane); ok {
		pane = parts.pane(p2p.Name)
	}
	p, ok := pane.(*p2pPane)
	if !ok {
		t.Fatalf("the P2P workbench's client pane is a %T", pane)
	}
	return w, p
}

// texts are the texts of the labels inside o.
func texts(o fyne.CanvasObject) string {
	var b strings.Builder
	walkObjects(o, func(o fyne.CanvasObject) bool {
		if l, ok := o.(*widget.Label); ok {
			b.WriteString(l.Text + "\n")
			return true
		}
		return false
	})
	return b.String()
}

func up(state string) bool { return state == "connected" || state == "completed" }

// connectP2P taps Connect and waits until both peers' lights show the whole
// stack up and the channel open.
func connectP2P(t *testing.T, w *Window, p *p2pPane) {
	t.Helper()
	test.Tap(p.connect)
	waitFor(t, w, "A and B connected", func() bool {
		if p.session() == nil && !p.busy && p.status.Importance == widget.DangerImportance {
			t.Fatalf("connecting failed: %s", p.status.Text)
		}
		return p.session() != nil && up(p.a.state(p2pclient.LayerICE)) && up(p.b.state(p2pclient.LayerICE)) &&
			p.a.state("channel:chat") == "open" && p.b.state("channel:chat") == "open"
	})
}

// TestP2PPaneConnectSendAndClose: A and B connect through the lab's
// signalling server, every layer's light lit; text goes both ways, a file
// arrives byte-identical with its hash verified; the SDP tab explains both
// descriptions with their candidates; Close closes the peers.
func TestP2PPaneConnectSendAndClose(t *testing.T) {
	w, p := p2pTestPane(t, true)
	connectP2P(t, w, p)
	for _, side := range []*p2pSide{p.a, p.b} {
		for _, layer := range []string{p2pclient.LayerDTLS, p2pclient.LayerSCTP, p2pclient.LayerPeer} {
			if got := side.state(layer); got != "connected" {
				t.Errorf("peer %s: %s light %q, want connected", side.name, layer, got)
			}
		}
		if got := side.state(p2pclient.LayerGathering); got != "complete" {
			t.Errorf("peer %s: gathering light %q, want complete", side.name, got)
		}
		lights := texts(side.lights)
		for _, want := range []string{"DTLS: connected", "SCTP: connected", "Channel chat: open"} {
			if !strings.Contains(lights, want) {
				t.Errorf("peer %s's lights say %q, want %q among them", side.name, lights, want)
			}
		}
	}
	if got := p.a.state(p2pclient.LayerSTUN); got != "answered" {
		t.Errorf("A's STUN light %q, want answered: the lab's STUN server runs", got)
	}

	p.a.comp.entry.SetText("hello B")
	test.Tap(p.a.comp.send)
	waitFor(t, w, "B shows A's text", func() bool { return strings.Contains(p.b.out.text(), "chat: hello B") })
	p.b.comp.entry.SetText("hello A")
	test.Tap(p.b.comp.send)
	waitFor(t, w, "A shows B's text", func() bool { return strings.Contains(p.a.out.text(), "chat: hello A") })

	data := bytes.Repeat([]byte("lab peer file\n"), 3000) // 42 000 bytes: three chunks
	p.a.sendFile("notes.txt", data)
	waitFor(t, w, "B received the file", func() bool { return len(p.b.received()) == 1 && len(p.b.got.Objects) == 1 })
	f := p.b.received()[0]
	if f.Err != nil || f.Name != "notes.txt" || !bytes.Equal(f.Data, data) || f.SHA256 != sha256.Sum256(data) {
		t.Errorf("B received %q, %d bytes, err %v; want notes.txt byte-identical", f.Name, len(f.Data), f.Err)
	}
	if row := texts(p.b.got.Objects[0]); !strings.Contains(row, "notes.txt · 42000 bytes") || !strings.Contains(row, "verified") {
		t.Errorf("B's file row says %q, want the name, the size and the hash verified", row)
	}

	p.tabs.SelectIndex(1)
	w.refresh()
	offer, answer := p.sdp.offer.cands.Text, p.sdp.answer.cands.Text
	if !strings.Contains(offer, "host 127.0.0.1:") || !strings.Contains(offer, "srflx 127.0.0.1:") {
		t.Errorf("the offer's candidates: %q, want a host and a server-reflexive one", offer)
	}
	if !strings.Contains(answer, "host 127.0.0.1:") {
		t.Errorf("the answer's candidates: %q, want a host one", answer)
	}
	if lines := texts(p.sdp.offer.lines); !strings.Contains(lines, "DTLS fingerprint") || !strings.Contains(lines, "SCTP port 5000") {
		t.Errorf("the offer's explanation lacks the fingerprint or the SCTP port:\n%s", lines)
	}

	test.Tap(p.hangup)
	waitFor(t, w, "the peers closed", func() bool {
		return p.session() == nil && !p.busy && p.a.state(p2pclient.LayerPeer) == "closed" && p.b.state("channel:chat") == "closed"
	})
	if !p.a.comp.send.Disabled() || !p.b.file.Disabled() {
		t.Error("Send and Send file are on after Close, want them off: the channels are closed")
	}

	// Again: new peers, a new channel of the same name, which the text takes.
	connectP2P(t, w, p)
	p.a.comp.entry.SetText("hello again")
	test.Tap(p.a.comp.send)
	waitFor(t, w, "B shows A's second text", func() bool { return strings.Contains(p.b.out.text(), "chat: hello again") })
	if got := len(p.a.channel.Options); got != 1 {
		t.Errorf("A's channel choices %q, want one chat", p.a.channel.Options)
	}
}

// TestP2PPaneLesson: the lesson sends its file both ways; the HTTP server
// carried it up and down, the signalling server carried less than the file
// and nothing while it crossed, and the peers' flow carried it.
func TestP2PPaneLesson(t *testing.T) {
	w, p := p2pTestPane(t, true)
	p.tabs.SelectIndex(2)
	test.Tap(p.lesson.start)
	waitFor(t, w, "the lesson's figures", func() bool {
		if !p.lesson.busy && p.lesson.res == nil && p.lesson.status.Importance == widget.DangerImportance {
			t.Fatalf("the lesson failed: %s", p.lesson.status.Text)
		}
		return p.lesson.res != nil
	})
	r := p.lesson.res
	viaP2P, viaHTTP := r.serverBytes()
	if testing.Verbose() {
		t.Logf("lesson: %+v", *r)
	}
	if r.httpUp < r.size || r.httpDown < r.size || !r.httpOK {
		t.Errorf("HTTP: %d bytes up, %d down (whole: %v), want each at least the file's %d", r.httpUp, r.httpDown, r.httpOK, r.size)
	}
	if r.flow < r.size {
		t.Errorf("the peers' flow carried %d bytes, less than the file's %d", r.flow, r.size)
	}
	if r.signal == 0 || r.stun == 0 || r.signalDuring != 0 || viaP2P >= r.size {
		t.Errorf("signalling carried %d bytes, %d while the file crossed, STUN %d; servers %d in all: want some, none, some, less than the file's %d", r.signal, r.signalDuring, r.stun, viaP2P, r.size)
	}
	if viaHTTP <= 2*viaP2P {
		t.Errorf("the HTTP server carried %d bytes, the P2P servers %d: want far more for HTTP", viaHTTP, viaP2P)
	}
	if table := texts(p.lesson.table); !strings.Contains(table, "Carried by a server") || !strings.Contains(table, "verified at B") {
		t.Errorf("the lesson's table:\n%s", table)
	}
}

// TestP2PPaneErrors: with the P2P server off, Connect says to start it; a
// room name the signalling server refuses shows its words.
func TestP2PPaneErrors(t *testing.T) {
	w, p := p2pTestPane(t, false)
	test.Tap(p.connect)
	waitFor(t, w, "an error", func() bool { return !p.busy })
	if !strings.Contains(p.status.Text, "P2P server is off") || p.status.Importance != widget.DangerImportance {
		t.Errorf("status %q, want the P2P server off, in red", p.status.Text)
	}
	for n, err := range w.bench.StartAll(w.reg.WithParts(p2p.Name)...) {
		t.Fatalf("starting %s: %v", n, err)
	}
	p.room.SetText(strings.Repeat("r", 70))
	test.Tap(p.connect)
	waitFor(t, w, "the refusal", func() bool { return !p.busy })
	if !strings.Contains(p.status.Text, "signalling server: give a room name of 1 to 64 characters") || p.session() != nil {
		t.Errorf("status %q, want the signalling server's refusal", p.status.Text)
	}
}

// TestP2PPaneSignallingEnds: the signalling server stops under connected
// peers; A says so, and the peers still talk directly.
func TestP2PPaneSignallingEnds(t *testing.T) {
	w, p := p2pTestPane(t, true)
	connectP2P(t, w, p)
	if err := w.bench.Stop(p2p.Name); err != nil {
		t.Fatalf("Stop(%s): %v", p2p.Name, err)
	}
	waitFor(t, w, "A's warning", func() bool { return strings.Contains(shown(p.a.errText), "signalling connection ended") })
	p.a.comp.entry.SetText("still here")
	test.Tap(p.a.comp.send)
	waitFor(t, w, "B shows A's text", func() bool { return strings.Contains(p.b.out.text(), "chat: still here") })
}
