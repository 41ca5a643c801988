package ui

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/lab"
)

func TestRailToggleStartsAndStopsServer(t *testing.T) {
	w := testWindow(t)
	e := w.rail.entries["tcp"]
	if e == nil {
		t.Fatalf("rail entries = %v, want one for tcp", w.rail.names)
	}
	test.Tap(e.toggle)
	w.async.Wait()
	st := w.bench.Status("tcp")
	if !st.Running || st.Addr == "" {
		t.Fatalf("after toggling on, Status = %+v, want running with an address", st)
	}
	if !e.toggle.on {
		t.Error("toggle is off after the server started")
	}
	if !strings.Contains(e.detail.Text, st.Addr) {
		t.Errorf("rail detail = %q, want the address %s", e.detail.Text, st.Addr)
	}
	if want := theme.Color(theme.ColorNameSuccess); e.light.FillColor != want {
		t.Errorf("status light = %v, want green %v", e.light.FillColor, want)
	}

	test.Tap(e.toggle)
	w.async.Wait()
	if st := w.bench.Status("tcp"); st.Running {
		t.Fatalf("after toggling off, Status = %+v, want stopped", st)
	}
	if !strings.HasPrefix(e.detail.Text, "off") {
		t.Errorf("rail detail = %q, want off", e.detail.Text)
	}
}

func TestRailPortInUseFlipsBack(t *testing.T) {
	w := testWindow(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	w.bench.SetPort("tcp", port)

	e := w.rail.entries["tcp"]
	test.Tap(e.toggle)
	w.async.Wait()
	if e.toggle.on {
		t.Error("toggle stayed on although the port is in use")
	}
	if w.bench.Status("tcp").Running {
		t.Fatal("server runs on a port that is in use")
	}
	want := "port " + strconv.Itoa(port) + " is in use by another program"
	if !e.errText.Visible() || !strings.Contains(e.errText.Text, want) {
		t.Errorf("error under the entry = %q (visible %v), want it to contain %q", e.errText.Text, e.errText.Visible(), want)
	}
	if want := theme.Color(theme.ColorNameError); e.light.FillColor != want {
		t.Errorf("status light = %v, want red %v", e.light.FillColor, want)
	}
	if w.win.Canvas().Overlays().Top() == nil {
		t.Error("no dialog explains the failure")
	}
}

func TestTCPClientEcho(t *testing.T) {
	w := testWindow(t)
	st := started(t, w, "tcp")
	p := w.wb.benches["tcp"].client.(*tcpPane)
	if got := p.addr.value(); got != st.Addr {
		t.Errorf("client address = %q, want the server's %q", got, st.Addr)
	}
	test.Tap(p.connect)
	w.async.Wait()
	if len(p.conns) != 1 {
		t.Fatalf("after Connect there are %d connections, want 1 (%s)", len(p.conns), p.dialErr.Text)
	}
	c := p.conns[0]

	test.Type(p.comp.entry, "hello")
	test.Tap(p.comp.send)
	waitFor(t, w, "the echo", func() bool { return strings.Contains(p.out.text(), "← hello⏎") })
	if !strings.Contains(p.out.text(), "→ hello⏎") {
		t.Errorf("console = %q, want what was sent", p.out.text())
	}

	id := c.conn.Conversation()
	var info lab.ConvInfo
	for _, ci := range w.hub.Conversations() {
		if ci.ID == id {
			info = ci
		}
	}
	if info.ID == 0 || info.Protocol != "tcp" || !info.ClientSeen || !info.ServerSeen {
		t.Fatalf("conversation %d = %+v, want a tcp conversation seen by both ends", id, info)
	}
	if info.BytesC2S != 6 {
		t.Errorf("conversation bytes client→server = %d, want 6", info.BytesC2S)
	}
	if got := w.insp.Selected(); got != id {
		t.Errorf("inspector shows conversation %d, want the client's %d", got, id)
	}
	// What the taps saw reaches the hub with the analysis of it, a moment
	// after the echo: the log shows it from then on.
	w.hub.Settle()
	w.refresh()
	if log := w.logs["tcp"]; log.len() == 0 {
		t.Error("the server log is empty after a conversation")
	}

	test.Tap(p.closeBtn)
	waitFor(t, w, "the close", func() bool { return strings.Contains(p.out.text(), "closed: both sides sent FIN") })
	if !p.closeBtn.Disabled() {
		t.Error("Close is still enabled on a closed connection")
	}
}

func TestTCPClientHexAndAbort(t *testing.T) {
	w := testWindow(t)
	started(t, w, "tcp")
	p := w.wb.benches["tcp"].client.(*tcpPane)
	test.Tap(p.connect)
	w.async.Wait()
	if len(p.conns) != 1 {
		t.Fatalf("after Connect there are %d connections, want 1 (%s)", len(p.conns), p.dialErr.Text)
	}
	p.comp.mode.SetSelected(modeHex)
	test.Type(p.comp.entry, "00 ff 41")
	test.Tap(p.comp.send)
	p.hexView.SetChecked(true)
	waitFor(t, w, "the echoed bytes", func() bool { return strings.Contains(p.out.text(), "← 3 bytes") })
	if want := "0000  00 ff 41"; !strings.Contains(p.out.text(), want) {
		t.Errorf("hex console = %q, want a row %q", p.out.text(), want)
	}
	test.Tap(p.abortBtn)
	waitFor(t, w, "the abort", func() bool { return strings.Contains(p.out.text(), "aborted: this side sent RST") })
}

func TestPauseAndClear(t *testing.T) {
	w := testWindow(t)
	test.Tap(w.tools.pause)
	if !w.hub.Paused() {
		t.Fatal("Pause did not pause the hub")
	}
	if w.tools.pause.Text != "Resume capture" || !strings.HasPrefix(w.tools.status.String(), "PAUSED") {
		t.Errorf("paused toolbar shows %q / %q", w.tools.pause.Text, w.tools.status.String())
	}
	test.Tap(w.tools.pause)
	if w.hub.Paused() {
		t.Fatal("a second Pause did not resume the hub")
	}

	started(t, w, "tcp")
	p := w.wb.benches["tcp"].client.(*tcpPane)
	test.Tap(p.connect)
	w.async.Wait()
	test.Tap(p.abortBtn)
	w.async.Wait()
	// Both ends have recorded the reset: nothing of this connection is still to come.
	for end := time.Now().Add(15 * time.Second); w.hub.Stats().LiveConvs > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) { // a bound for a stuck test, not a speed check
			t.Fatal("the aborted connection did not end")
		}
	}
	w.hub.Settle()
	w.refresh()
	if w.hub.Stats().Events == 0 || w.logs["tcp"].len() == 0 {
		t.Fatal("no events captured to clear")
	}
	w.clearCapture()
	if n := w.hub.Stats().Events; n != 0 {
		t.Errorf("after Clear the hub holds %d events, want 0", n)
	}
	if n := w.logs["tcp"].len(); n != 0 {
		t.Errorf("after Clear the server log holds %d lines, want 0", n)
	}
}

func TestListenElsewhereIsExplicit(t *testing.T) {
	w := testWindow(t)
	w.selectProtocol("tcp")
	s := w.wb.benches["tcp"].server
	s.listen.SetText("0.0.0.0")
	s.applyListen()
	if got := w.bench.Listen(); got != "127.0.0.1" {
		t.Fatalf("Listen = %q before the person confirmed, want 127.0.0.1", got)
	}
	if w.win.Canvas().Overlays().Top() == nil {
		t.Fatal("no confirmation asked before exposing the servers")
	}
	w.bench.SetListen("0.0.0.0") // as the confirmation does
	w.refresh()
	if !s.exposed.Visible() || !strings.Contains(s.exposed.Text, "exposed to the network") {
		t.Errorf("warning = %q (visible %v), want a visible exposure warning", s.exposed.Text, s.exposed.Visible())
	}
}

// TestRailBrokerOneToggle: the broker is one row, MQTT's, whose switch starts
// and stops its NATS and MQTT-over-TLS listeners with it.
func TestRailBrokerOneToggle(t *testing.T) {
	w := testWindow(t)
	parts := []string{"mqtt", "nats", "mqtts"}
	for _, n := range parts[1:] {
		if w.rail.entries[n] != nil {
			t.Errorf("the rail has a row for %s, part of the broker's", n)
		}
	}
	e := w.rail.entries["mqtt"]
	if e == nil {
		t.Fatalf("rail entries = %v, want one for mqtt", w.rail.names)
	}
	if !strings.HasPrefix(e.detail.Text, "off · ports 0, 0, 0") {
		t.Errorf("rail detail = %q, want the three ports", e.detail.Text)
	}
	test.Tap(e.toggle)
	w.async.Wait()
	for _, n := range parts {
		if !w.bench.Status(n).Running {
			t.Errorf("after toggling on, %s is not running", n)
		}
	}
	test.Tap(e.toggle)
	w.async.Wait()
	for _, n := range parts {
		if w.bench.Status(n).Running {
			t.Errorf("after toggling off, %s still runs", n)
		}
	}
}

// TestServerPanePartsPorts: the broker's server pane has a port for each of
// its listeners, and each sets its own.
func TestServerPanePartsPorts(t *testing.T) {
	w := testWindow(t)
	w.selectProtocol("mqtt")
	var form *widget.Form
	walkObjects(w.wb.benches["mqtt"].server.obj, func(o fyne.CanvasObject) bool {
		f, ok := o.(*widget.Form)
		if ok {
			form = f
		}
		return ok
	})
	if form == nil {
		t.Fatal("the broker's server pane has no form")
	}
	ports := map[string]*widget.Entry{}
	for _, it := range form.Items {
		if name, ok := strings.CutPrefix(it.Text, "Port ("); ok {
			ports[strings.TrimSuffix(name, ")")] = it.Widget.(*fyne.Container).Objects[0].(*widget.Entry)
		}
	}
	if len(ports) != 3 || ports["mqtt"] == nil || ports["nats"] == nil || ports["mqtts"] == nil {
		t.Fatalf("port entries for %v, want mqtt, nats and mqtts", ports)
	}
	ports["nats"].SetText("4333")
	if got := w.bench.Port("nats"); got != 4333 {
		t.Errorf("NATS port = %d after typing 4333, want it", got)
	}
	if got := w.bench.Port("mqtt"); got != 0 {
		t.Errorf("MQTT port = %d, want it unchanged (0)", got)
	}
}
