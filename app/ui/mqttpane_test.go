package ui

import (
	"net"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/mqtt"
)

// brokerPane starts the lab's broker and returns the window and the client
// pane of the broker's protocol called name.
func brokerPane[T ClientPane](t *testing.T, name string) (*Window, T) {
	t.Helper()
	w := testWindow(t)
	// The broker, as its switch in the rail starts it: MQTT with its parts,
	// the NATS and MQTT-over-TLS listeners.
	for n, err := range w.bench.StartAll(w.reg.WithParts(mqtt.Name)...) {
		t.Fatalf("starting %s: %v", n, err)
	}
	return w, partPane[T](t, w, name)
}

// partPane shows the broker's workbench and its tab of the protocol called
// name, and returns the client pane in that tab.
func partPane[T ClientPane](t *testing.T, w *Window, name string) T {
	t.Helper()
	w.selectProtocol(mqtt.Name)
	w.refresh()
	parts, ok := w.wb.benches[mqtt.Name].client.(*partsPane)
	if !ok {
		t.Fatalf("the broker's client pane is a %T, want tabs of its parts", w.wb.benches[mqtt.Name].client)
	}
	p, ok := parts.pane(name).(T)
	if !ok {
		t.Fatalf("the broker's %s tab holds a %T", name, parts.pane(name))
	}
	parts.tabs.SelectIndex(slices.Index(parts.names, name))
	return p
}

// convProtocol is the protocol of conversation id as the hub has it.
func convProtocol(w *Window, id lab.ConvID) string {
	if c := w.hub.Conversation(id); c != nil {
		return c.Info(false).Protocol
	}
	return ""
}

func shown(l *widget.Label) string {
	if !l.Visible() {
		return ""
	}
	return l.Text
}

// TestMQTTPaneClientsPublishAndReceive: a third client added beside the first
// two gets the next id; clients connect to a real broker, one subscribes with
// a wildcard, another publishes at QoS 2, the subscriber shows it; dropping a
// client delivers its will to the subscriber.
func TestMQTTPaneClientsPublishAndReceive(t *testing.T) {
	w, p := brokerPane[*mqttPane](t, mqtt.Name)
	if len(p.cols) != mqttStartClients {
		t.Fatalf("%d clients at the start, want %d", len(p.cols), mqttStartClients)
	}
	test.Tap(p.add)
	if len(p.cols) != 3 || p.cols[2].id.Text != "lab-client-3" || len(p.row.Objects) != 3 {
		t.Fatalf("after Add client: %d clients, the third with id %q, %d columns; want 3, lab-client-3, 3", len(p.cols), p.cols[2].id.Text, len(p.row.Objects))
	}
	sub, pub, rude := p.cols[0], p.cols[1], p.cols[2]
	for _, c := range p.cols {
		test.Tap(c.connect)
		w.async.Wait() // one at a time: the test driver runs each report on the worker's goroutine
	}
	waitFor(t, w, "three sessions", func() bool { return sub.open() && pub.open() && rude.open() })
	if got := convProtocol(w, sub.client.Conversation()); got != mqtt.Name {
		t.Errorf("the client's conversation is %q, want it captured as %s", got, mqtt.Name)
	}

	sub.filter.SetText("lab/+/t1")
	sub.subQoS.SetSelectedIndex(2)
	test.Tap(sub.subscribe)
	waitFor(t, w, "the SUBACK", func() bool { return strings.Contains(sub.out.text(), "lab/+/t1 · QoS 2 granted") })

	pub.pubQoS.SetSelectedIndex(2)
	pub.comp.entry.SetText("22.5")
	test.Tap(pub.comp.send)
	waitFor(t, w, "the delivery", func() bool { return strings.Contains(sub.out.text(), "← lab/sensors/t1 · QoS 2 ▸ 22.5") })
	if !strings.Contains(pub.out.text(), "→ lab/sensors/t1 · QoS 2 ▸ 22.5") {
		t.Errorf("publisher's transcript:\n%s\nwant the publication", pub.out.text())
	}

	sub.filter.SetText("lab/clients/#")
	test.Tap(sub.subscribe)
	waitFor(t, w, "the second SUBACK", func() bool { return strings.Contains(sub.out.text(), "subscribed to lab/clients/#") })
	test.Tap(rude.drop)
	waitFor(t, w, "the will", func() bool {
		return strings.Contains(sub.out.text(), "lab/clients/lab-client-3 · QoS 1 ▸ lab-client-3 went away")
	})
	waitFor(t, w, "the dropped client's end", func() bool { return !rude.open() && !rude.connect.Disabled() })
	if !strings.Contains(rude.out.text(), "dropped without DISCONNECT") {
		t.Errorf("dropped client's transcript:\n%s\nwant it to say it dropped without DISCONNECT", rude.out.text())
	}
	test.Tap(pub.disconnect)
	waitFor(t, w, "the clean disconnect", func() bool { return !pub.open() })
	if !strings.Contains(pub.out.text(), "DISCONNECT sent") {
		t.Errorf("publisher's transcript:\n%s\nwant a clean disconnect", pub.out.text())
	}
}

// TestMQTTPaneRefusesBadInput: a wildcard in the topic and bad hex are refused
// under the composer before anything is sent; a refused connection is shown.
func TestMQTTPaneRefusesBadInput(t *testing.T) {
	w, p := brokerPane[*mqttPane](t, mqtt.Name)
	c := p.cols[0]
	broker := p.addr.Text

	p.addr.SetText(closedAddr(t))
	test.Tap(c.connect)
	waitFor(t, w, "the refusal", func() bool { return shown(c.errText) != "" })
	if got := shown(c.errText); !strings.Contains(got, "refused") {
		t.Errorf("error shown %q, want the refused connection", got)
	}

	p.addr.SetText(broker)
	test.Tap(c.connect)
	waitFor(t, w, "the session", c.open)
	if got := shown(c.errText); got != "" {
		t.Errorf("error still shown after connecting: %q", got)
	}
	c.topic.SetText("lab/+/t1")
	test.Tap(c.comp.send)
	if got := shown(c.comp.errText); !strings.Contains(got, "wildcards") {
		t.Errorf("publishing to lab/+/t1 showed %q, want the wildcard refused", got)
	}
	c.topic.SetText(mqttTopic)
	c.comp.mode.SetSelected(modeHex)
	c.comp.entry.SetText("48 6g")
	test.Tap(c.comp.send)
	if got := shown(c.comp.errText); !strings.Contains(got, "not a hex digit") {
		t.Errorf("bad hex showed %q, want it explained", got)
	}
	waitFor(t, w, "nothing sent", func() bool { return !c.busy })
	if strings.Contains(c.out.text(), "→") {
		t.Errorf("transcript:\n%s\nwant nothing published", c.out.text())
	}
	c.comp.entry.SetText("48 69")
	test.Tap(c.comp.send)
	if got := shown(c.comp.errText); got != "" {
		t.Errorf("good hex still shows %q", got)
	}
	waitFor(t, w, "the publication", func() bool { return strings.Contains(c.out.text(), "→ lab/sensors/t1 · QoS 1 ▸ Hi") })
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestMQTTSPane: the MQTT-over-TLS pane connects with the lab CA, and a
// publication crosses inside TLS, captured as MQTT over TLS.
func TestMQTTSPane(t *testing.T) {
	w, p := brokerPane[*mqttPane](t, mqtt.TLSName)
	c := p.cols[0]
	test.Tap(c.connect)
	waitFor(t, w, "the TLS session", func() bool { return c.open() || shown(c.errText) != "" })
	if !c.open() {
		t.Fatalf("connecting over TLS: %s", shown(c.errText))
	}
	test.Tap(c.subscribe)
	waitFor(t, w, "the SUBACK", func() bool { return strings.Contains(c.out.text(), "subscribed to lab/#") })
	test.Tap(c.comp.send)
	waitFor(t, w, "its own publication back", func() bool { return strings.Contains(c.out.text(), "← lab/sensors/t1 · QoS 1 ▸ 21.5") })
	if got := convProtocol(w, c.client.Conversation()); got != mqtt.TLSName {
		t.Errorf("the client's conversation is %q, want it captured as %s", got, mqtt.TLSName)
	}
}

// TestBrokerPartsAsTabs: the broker's row shows the client panes of MQTT and
// of its parts, NATS and MQTT over TLS, as tabs, MQTT's first.
func TestBrokerPartsAsTabs(t *testing.T) {
	w := testWindow(t)
	partPane[*mqttPane](t, w, mqtt.Name)
	parts := w.wb.benches[mqtt.Name].client.(*partsPane)
	var got []string
	for _, tab := range parts.tabs.Items {
		got = append(got, tab.Text)
	}
	if g := strings.Join(got, " "); g != "MQTT NATS MQTTS" {
		t.Errorf("tabs %s, want MQTT NATS MQTTS", g)
	}
	if p := parts.pane(mqtt.TLSName).(*mqttPane); !p.tls {
		t.Error("the MQTTS tab's clients do not speak TLS")
	}
}

// TestBrokerPanesKeptInSession: the broker's client panes, saved with the
// session (three MQTT clients, their forms; a NATS connection's), come back as
// they were in a new window.
func TestBrokerPanesKeptInSession(t *testing.T) {
	w, p := brokerPane[*mqttPane](t, mqtt.Name)
	p.addColumn()
	c := p.cols[2]
	c.filter.SetText("lab/+/t9")
	selectLevel(c.subQoS, 2)
	c.topic.SetText("lab/sensors/t9")
	selectLevel(c.pubQoS, 2)
	c.retain.SetChecked(true)
	c.comp.entry.SetText("0a ff")
	setHex(c.comp, true)
	c.willTopic.SetText("lab/wills/three")
	n := partPane[*natsPane](t, w, "nats")
	n.cols[0].subject.SetText("lab.sensors.t9")
	n.cols[0].queue.SetText("workers")
	raw := w.clientStates()[mqtt.Name]
	if raw == nil {
		t.Fatal("the broker's panes saved nothing")
	}

	w2, p2 := brokerPane[*mqttPane](t, mqtt.Name)
	w2.wb.benches[mqtt.Name].client.(statefulPane).LoadState(raw)
	if len(p2.cols) != 3 {
		t.Fatalf("%d MQTT clients after loading, want 3", len(p2.cols))
	}
	c2 := p2.cols[2]
	if c2.filter.Text != "lab/+/t9" || c2.subQoS.SelectedIndex() != 2 || c2.topic.Text != "lab/sensors/t9" ||
		c2.pubQoS.SelectedIndex() != 2 || !c2.retain.Checked || c2.comp.entry.Text != "0a ff" ||
		c2.comp.mode.Selected != modeHex || c2.willTopic.Text != "lab/wills/three" || c2.id.Text != "lab-client-3" {
		t.Errorf("client 3 after loading: filter %q QoS %d, topic %q QoS %d retain %v, payload %q (%s), will %q, id %q",
			c2.filter.Text, c2.subQoS.SelectedIndex(), c2.topic.Text, c2.pubQoS.SelectedIndex(), c2.retain.Checked,
			c2.comp.entry.Text, c2.comp.mode.Selected, c2.willTopic.Text, c2.id.Text)
	}
	n2 := partPane[*natsPane](t, w2, "nats")
	if n2.cols[0].subject.Text != "lab.sensors.t9" || n2.cols[0].queue.Text != "workers" {
		t.Errorf("NATS connection after loading: subject %q, queue %q", n2.cols[0].subject.Text, n2.cols[0].queue.Text)
	}
}
