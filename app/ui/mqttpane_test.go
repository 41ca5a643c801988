package ui

import (
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/protocollab/protolab/internal/brokertest"
	"github.com/protocollab/protolab/lab"
)

// paneBench is a pane's context over a fresh bench, for a protocol called
// name, with its work counted so tests can wait for it.
type paneBench struct {
	ctx   PaneContext
	work  sync.WaitGroup
	poke  chan struct{}
	conns []lab.ConvID // what the pane selected in the inspector
}

func newPaneBench(t *testing.T, name string) *paneBench {
	t.Helper()
	test.NewTempApp(t)
	b := testBench(t)
	pb := &paneBench{poke: make(chan struct{}, 1)}
	p := &lab.Protocol{Name: name}
	pb.ctx = PaneContext{
		Bench: b, Protocol: p, Tap: b.Hub().Tap(p),
		Changed: func() {
			select {
			case pb.poke <- struct{}{}:
			default:
			}
		},
		Select: func(id lab.ConvID) { pb.conns = append(pb.conns, id) },
		Go: func(f func()) {
			pb.work.Add(1)
			go func() { defer pb.work.Done(); f() }()
		},
	}
	return pb
}

// waitFor updates the pane each time it reports news until ok holds, or fails
// the test when it does not hold within 15 seconds.
func (pb *paneBench) waitFor(t *testing.T, pane ClientPane, what string, ok func() bool) {
	t.Helper()
	deadline := time.NewTimer(15 * time.Second) // a bound for a stuck test, not a speed check
	defer deadline.Stop()
	for {
		pb.work.Wait()
		pane.Update()
		if ok() {
			return
		}
		select {
		case <-pb.poke:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
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
	broker := brokertest.Start(t)
	pb := newPaneBench(t, "mqtt")
	p := newMQTTPane(pb.ctx)
	defer p.Close()
	if len(p.clients) != mqttStartClients {
		t.Fatalf("%d clients at the start, want %d", len(p.clients), mqttStartClients)
	}
	test.Tap(p.add)
	if len(p.clients) != 3 || p.clients[2].id.Text != "lab-client-3" || len(p.row.Objects) != 3 {
		t.Fatalf("after Add client: %d clients, the third with id %q, %d columns; want 3, lab-client-3, 3", len(p.clients), p.clients[2].id.Text, len(p.row.Objects))
	}
	p.addr.SetText(broker.MQTT)
	sub, pub, rude := p.clients[0], p.clients[1], p.clients[2]
	for _, c := range p.clients {
		test.Tap(c.connect)
	}
	pb.waitFor(t, p, "three sessions", func() bool { return sub.open() && pub.open() && rude.open() })
	if len(pb.conns) != 3 || pb.conns[0] == 0 {
		t.Errorf("the inspector was shown conversations %v, want one per connect", pb.conns)
	}

	sub.filter.SetText("lab/+/t1")
	sub.subQoS.SetSelectedIndex(2)
	test.Tap(sub.subscribe)
	pb.waitFor(t, p, "the SUBACK", func() bool { return strings.Contains(sub.out.text(), "granted QoS 2") })

	pub.pubQoS.SetSelectedIndex(2)
	pub.comp.entry.SetText("22.5")
	test.Tap(pub.comp.send)
	pb.waitFor(t, p, "the delivery", func() bool { return strings.Contains(sub.out.text(), "← lab/sensors/t1 · QoS 2 ▸ 22.5") })
	if !strings.Contains(pub.out.text(), "→ lab/sensors/t1 · QoS 2 ▸ 22.5") {
		t.Errorf("publisher's transcript:\n%s\nwant the publication", pub.out.text())
	}

	sub.filter.SetText("lab/clients/#")
	test.Tap(sub.subscribe)
	pb.waitFor(t, p, "the second SUBACK", func() bool { return strings.Contains(sub.out.text(), "subscribed to lab/clients/#") })
	test.Tap(rude.drop)
	pb.waitFor(t, p, "the will", func() bool {
		return strings.Contains(sub.out.text(), "lab/clients/lab-client-3 · QoS 1 ▸ lab-client-3 went away")
	})
	pb.waitFor(t, p, "the dropped client's end", func() bool { return !rude.open() && !rude.connect.Disabled() })
	if !strings.Contains(rude.out.text(), "dropped without DISCONNECT") {
		t.Errorf("dropped client's transcript:\n%s\nwant it to say it dropped without DISCONNECT", rude.out.text())
	}
	test.Tap(pub.disconnect)
	pb.waitFor(t, p, "the clean disconnect", func() bool { return !pub.open() })
	if !strings.Contains(pub.out.text(), "DISCONNECT sent") {
		t.Errorf("publisher's transcript:\n%s\nwant a clean disconnect", pub.out.text())
	}
}

// TestMQTTPaneRefusesBadInput: a wildcard in the topic and bad hex are refused
// under the composer before anything is sent; a refused connection is shown.
func TestMQTTPaneRefusesBadInput(t *testing.T) {
	broker := brokertest.Start(t)
	pb := newPaneBench(t, "mqtt")
	p := newMQTTPane(pb.ctx)
	defer p.Close()
	c := p.clients[0]

	p.addr.SetText(closedAddr(t))
	test.Tap(c.connect)
	pb.waitFor(t, p, "the refusal", func() bool { return shown(c.errText) != "" })
	if got := shown(c.errText); !strings.Contains(got, "refused") {
		t.Errorf("error shown %q, want the refused connection", got)
	}

	p.addr.SetText(broker.MQTT)
	test.Tap(c.connect)
	pb.waitFor(t, p, "the session", c.open)
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
	pb.waitFor(t, p, "nothing sent", func() bool { return !c.busy })
	if strings.Contains(c.out.text(), "→") {
		t.Errorf("transcript:\n%s\nwant nothing published", c.out.text())
	}
	c.comp.entry.SetText("48 69")
	test.Tap(c.comp.send)
	if got := shown(c.comp.errText); got != "" {
		t.Errorf("good hex still shows %q", got)
	}
	pb.waitFor(t, p, "the publication", func() bool { return strings.Contains(c.out.text(), "→ lab/sensors/t1 · QoS 1 ▸ Hi") })
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
