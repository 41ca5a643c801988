package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
)

func TestUDPClientReply(t *testing.T) {
	w := testWindow(t)
	st := started(t, w, "udp")
	p := w.wb.benches["udp"].client.(*udpPane)
	if got := p.addr.value(); got != st.Addr {
		t.Errorf("target = %q, want the server's %q", got, st.Addr)
	}
	test.Type(p.comp.entry, "ping")
	test.Tap(p.comp.send)
	waitFor(t, w, "the reply", func() bool { return strings.Contains(p.out.text(), "← ping⏎") })
	if !strings.Contains(p.local.Text, "from 127.0.0.1:") {
		t.Errorf("socket label = %q, want the local address", p.local.Text)
	}
	var udpConvs int
	for _, ci := range w.hub.Conversations() {
		if ci.Protocol == "udp" && ci.Datagram {
			udpConvs++
		}
	}
	if udpConvs != 1 {
		t.Errorf("UDP flows in the hub = %d, want 1", udpConvs)
	}
}
