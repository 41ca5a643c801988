package brokerserver

import (
	"fmt"
	"slices"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/mqtt"
	natsproto "github.com/protocollab/protolab/protocols/nats"
)

// TestNATSBursts: nats.go publishes 2,000 readings back to back, which reach
// the broker, and its subscriber, in reads of many; the capture shows such a
// read's like publications as bursts, and every publication, in a burst or
// not, is there in order on both sides, its digest its payload's, each
// followed through the broker from the subscriber's side.
func TestNATSBursts(t *testing.T) {
	addr, hub := tappedListener(t, NATS, natsproto.Protocol(), false)
	sub := natsConn(t, addr)
	s, err := sub.SubscribeSync("lab.burst")
	if err != nil {
		t.Fatal(err)
	}
	if err := sub.Flush(); err != nil {
		t.Fatal(err)
	}
	const n = 2000
	pub := natsConn(t, addr)
	var want []uint64
	for i := range n {
		p := fmt.Appendf(nil, "reading %d", i)
		want = append(want, lab.PayloadDigest(p))
		if err := pub.Publish("lab.burst", p); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Flush(); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		m, err := s.NextMsg(5 * time.Second)
		if err != nil || string(m.Data) != fmt.Sprintf("reading %d", i) {
			t.Fatalf("delivery %d: %v, %q", i, err, m.Data)
		}
	}
	hub.Settle()

	for _, dir := range []lab.Dir{lab.ClientToServer, lab.ServerToClient} {
		var got []uint64
		var msgs, bursts int
		var burst lab.Event
		for _, e := range hub.Events(0) {
			if e.Msg == nil || e.Msg.Pub == nil || e.Dir != dir || e.Msg.Pub.Subject != "lab.burst" {
				continue
			}
			p := e.Msg.Pub
			got = append(append(got, p.Digest), p.Burst...)
			msgs++
			if p.Count() > 1 {
				bursts++
				burst = e
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%v: %d publications captured, want the %d published, in order", dir, len(got), len(want))
		}
		if bursts == 0 {
			t.Fatalf("%v: %d messages for %d publications and no burst", dir, msgs, n)
		}
		t.Logf("%v: %d publications in %d messages, %d of them bursts", dir, n, msgs, bursts)
		if dir == lab.ServerToClient {
			sources, deliveries := hub.Follow(burst.Conv, burst.Seq)
			if len(sources) == 0 || !slices.ContainsFunc(deliveries, func(r lab.MsgRef) bool { return r.Seq == burst.Seq }) {
				t.Errorf("a burst delivered follows to %d sources and %d deliveries, itself not among them", len(sources), len(deliveries))
			}
			for _, src := range sources {
				if src.Dir != lab.ClientToServer || src.At.After(burst.At) {
					t.Errorf("source %+v of a burst delivered at %v", src, burst.At)
				}
			}
		}
	}
}

// TestMQTTBursts: paho publishes 2,000 readings at QoS 0 back to back; the
// broker writes them to its subscriber in reads of many, which the capture
// shows as bursts; every publication, in a burst or not, is there in order
// on both sides, its digest its payload's.
func TestMQTTBursts(t *testing.T) {
	addr, hub := tappedListener(t, MQTT, mqtt.Protocol(), false)
	sub := pahoClient(t, addr, "burst-sub")
	got := make(chan []byte, 2000)
	if tok := sub.Subscribe("lab/burst", 0, func(_ paho.Client, m paho.Message) { got <- m.Payload() }); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribe: %v", tok.Error())
	}
	const n = 2000
	pub := pahoClient(t, addr, "burst-pub")
	var want []uint64
	for i := range n {
		p := fmt.Appendf(nil, "reading %d", i)
		want = append(want, lab.PayloadDigest(p))
		pub.Publish("lab/burst", 0, false, p)
	}
	for i := range n {
		select {
		case p := <-got:
			if string(p) != fmt.Sprintf("reading %d", i) {
				t.Fatalf("delivery %d: %q", i, p)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%d of %d delivered", i, n)
		}
	}
	hub.Settle()
	for _, dir := range []lab.Dir{lab.ClientToServer, lab.ServerToClient} {
		var digests []uint64
		var msgs, bursts int
		for _, e := range hub.Events(0) {
			if e.Msg == nil || e.Msg.Pub == nil || e.Dir != dir || e.Msg.Pub.Subject != "lab.burst" {
				continue
			}
			digests = append(append(digests, e.Msg.Pub.Digest), e.Msg.Pub.Burst...)
			msgs++
			if e.Msg.Pub.Count() > 1 {
				bursts++
			}
		}
		if !slices.Equal(digests, want) {
			t.Fatalf("%v: %d publications captured, want the %d published, in order", dir, len(digests), len(want))
		}
		if dir == lab.ServerToClient && bursts == 0 {
			t.Errorf("%v: %d messages for %d publications and no burst", dir, msgs, n)
		}
		t.Logf("%v: %d publications in %d messages, %d of them bursts", dir, n, msgs, bursts)
	}
}
