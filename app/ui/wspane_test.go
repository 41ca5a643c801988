package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/protocollab/protolab/lab"
)

// TestWSPaneChatPingClose joins the chat room, sends, pings, and closes with a
// code and reason of the person's choosing; the inspector's conversation goes
// through the WebSocket states to CLOSED.
func TestWSPaneChatPingClose(t *testing.T) {
	w := testWindow(t)
	st := started(t, w, "ws")
	p := w.wb.benches["ws"].client.(*wsPane)
	if got, want := p.url.value(), "ws://"+st.Addr+"/ws/chat"; got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
	p.sub.SetText("chat")
	test.Tap(p.connect)
	waitFor(t, w, "the WebSocket to open", func() bool { return p.conn != nil })
	if !strings.Contains(p.out.text(), "subprotocol chat") {
		t.Errorf("console = %q, want the agreed subprotocol", p.out.text())
	}
	test.Type(p.comp.entry, "hello room")
	test.Tap(p.comp.send)
	waitFor(t, w, "the room's copy", func() bool { return strings.Count(p.out.text(), "hello room") >= 2 })
	test.Tap(p.ping)
	waitFor(t, w, "the pong", func() bool { return strings.Contains(p.out.text(), "pong") })

	p.code.SetText("999")
	test.Tap(p.closeBtn)
	if !p.dialErr.Visible() || p.conn == nil {
		t.Fatalf("close code 999 accepted; want it refused with an explanation")
	}
	p.code.SetText("4000")
	p.reason.SetText("bye for now")
	test.Tap(p.closeBtn)
	waitFor(t, w, "the close handshake", func() bool { return p.conn == nil })
	text := p.out.text()
	if !strings.Contains(text, "the server closes: 4000") || !strings.Contains(text, "bye for now") {
		t.Errorf("console = %q, want the server's close echoing 4000 and the reason", text)
	}
	w.hub.Settle()
	var path []string
	for _, ci := range w.hub.Conversations() {
		if ci.Protocol != "ws" {
			continue
		}
		for _, e := range w.hub.ConvEvents(ci.ID) {
			if e.Kind == lab.KindState && e.Layer == "ws" {
				path = append(path, e.To)
			}
		}
	}
	if got := strings.Join(path, " → "); got != "CONNECTING → OPEN → CLOSING → CLOSED" {
		t.Errorf("WebSocket states = %q, want CONNECTING → OPEN → CLOSING → CLOSED", got)
	}
}
