package natsclient_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/internal/brokertest"
	"github.com/protocollab/protolab/clients/mqttclient"
	"github.com/protocollab/protolab/clients/natsclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/tcp"
)

// ctx bounds one step of a test.
func ctx(t *testing.T) context.Context { return brokertest.Context(t) }

func connect(t *testing.T, addr string, opts natsclient.Options) *natsclient.Conn {
	t.Helper()
	c, err := natsclient.Connect(ctx(t), addr, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func subscribe(t *testing.T, c *natsclient.Conn, subject string) {
	t.Helper()
	if _, err := c.Subscribe(ctx(t), subject); err != nil {
		t.Fatal(err)
	}
}

// next is the next message c receives, failing the test when the connection ends first.
func next(t *testing.T, c *natsclient.Conn) natsclient.Message {
	t.Helper()
	return brokertest.Next(t, c.Receive(), c.Err)
}

// until collects the subjects c receives up to and including end.
func until(t *testing.T, c *natsclient.Conn, end string) string {
	t.Helper()
	var got []string
	for len(got) == 0 || got[len(got)-1] != end {
		got = append(got, next(t, c).Subject)
	}
	return strings.Join(got, " ")
}

// TestPubSubAndWildcards: * matches one token, > one or more; the hub holds
// the conversation from INFO and CONNECT on.
func TestPubSubAndWildcards(t *testing.T) {
	b := brokertest.Start(t)
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	h := lab.NewHub(lab.HubOptions{Registry: reg})
	tap := h.Tap(reg.Lookup(tcp.Name))
	exact := connect(t, b.NATS, natsclient.Options{Tap: tap, Name: "exact"})
	star := connect(t, b.NATS, natsclient.Options{Tap: tap, Name: "star"})
	rest := connect(t, b.NATS, natsclient.Options{Tap: tap, Name: "rest"})
	pub := connect(t, b.NATS, natsclient.Options{Tap: tap, Name: "pub"})
	subscribe(t, exact, "lab.sensors.t1")
	subscribe(t, star, "lab.*.t1")
	subscribe(t, rest, "lab.>")
	for _, s := range []string{"lab.sensors.t1", "lab.sensors.t2", "lab.a.b.t1", "lab", "other.x", "lab.end.t1"} {
		if err := pub.Publish(s, []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Publish("lab.sensors.t1", []byte("last")); err != nil {
		t.Fatal(err)
	}
	if m := next(t, exact); m.Subject != "lab.sensors.t1" || string(m.Data) != "lab.sensors.t1" || m.Sub != "lab.sensors.t1" {
		t.Errorf("exact subscriber got %s %q via %s", m.Subject, m.Data, m.Sub)
	}
	if got, want := until(t, star, "lab.end.t1"), "lab.sensors.t1 lab.end.t1"; got != want {
		t.Errorf("lab.*.t1 received %s, want %s", got, want)
	}
	if got, want := until(t, rest, "lab.end.t1"), "lab.sensors.t1 lab.sensors.t2 lab.a.b.t1 lab.end.t1"; got != want {
		t.Errorf("lab.> received %s, want %s", got, want)
	}
	pub.Close()
	h.Settle()
	var got []byte
	for _, e := range h.ConvEvents(pub.Conversation()) {
		if e.Kind == lab.KindData {
			got = append(got, e.Data...)
		}
	}
	for _, want := range []string{"INFO {", "CONNECT {", "PUB lab.sensors.t1 14\r\nlab.sensors.t1\r\n"} {
		if !bytes.Contains(got, []byte(want)) {
			t.Errorf("conversation %d lacks %q", pub.Conversation(), want)
		}
	}
}

// TestQueueGroup: each message goes to one member of the group, and every
// message to some member.
func TestQueueGroup(t *testing.T) {
	b := brokertest.Start(t)
	workers := make([]*natsclient.Conn, 3)
	for i := range workers {
		workers[i] = connect(t, b.NATS, natsclient.Options{Name: fmt.Sprint("worker", i)})
		if _, err := workers[i].QueueSubscribe(ctx(t), "lab.jobs", "workers"); err != nil {
			t.Fatal(err)
		}
	}
	pub := connect(t, b.NATS, natsclient.Options{})
	const n = 30
	for i := range n {
		if err := pub.Publish("lab.jobs", []byte(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	// Every message reaches the group once: the members together receive n,
	// with no message twice.
	var got []string
	take := func(m natsclient.Message) {
		if m.Sub != "lab.jobs (queue workers)" {
			t.Errorf("message %q came via %q, want the queue subscription", m.Data, m.Sub)
		}
		got = append(got, string(m.Data))
	}
	for len(got) < n {
		select {
		case m := <-workers[0].Receive():
			take(m)
		case m := <-workers[1].Receive():
			take(m)
		case m := <-workers[2].Receive():
			take(m)
		case <-ctx(t).Done():
			t.Fatalf("after %d of %d messages, no more arrived", len(got), n)
		}
	}
	sort.Strings(got)
	for i := 1; i < len(got); i++ {
		if got[i] == got[i-1] {
			t.Errorf("message %s delivered twice in the group", got[i])
		}
	}
	// A marker on a plain subscription, published after them, shows that no
	// copy is still on its way to a member.
	for _, w := range workers {
		subscribe(t, w, "lab.end")
	}
	if err := pub.Publish("lab.end", nil); err != nil {
		t.Fatal(err)
	}
	for i, w := range workers {
		if m := next(t, w); m.Subject != "lab.end" {
			t.Errorf("worker %d received %s %q beyond its share, want the end marker", i, m.Subject, m.Data)
		}
	}
}

// TestRequestReply: a responder answers a request; with none the error says so.
func TestRequestReply(t *testing.T) {
	b := brokertest.Start(t)
	svc := connect(t, b.NATS, natsclient.Options{Name: "svc"})
	if _, err := svc.Respond(ctx(t), "lab.time", "", func(m natsclient.Message) []byte {
		return append([]byte("re: "), m.Data...)
	}); err != nil {
		t.Fatal(err)
	}
	c := connect(t, b.NATS, natsclient.Options{Name: "asker"})
	r, err := c.Request(ctx(t), "lab.time", []byte("now?"))
	if err != nil || string(r.Data) != "re: now?" {
		t.Errorf("Request = %q, %v; want \"re: now?\"", r.Data, err)
	}
	if m := next(t, svc); m.Subject != "lab.time" || m.Reply == "" || string(m.Data) != "now?" {
		t.Errorf("responder saw %s reply %q %q, want the request with a reply subject", m.Subject, m.Reply, m.Data)
	}
	if _, err := c.Request(ctx(t), "lab.nobody", nil); err == nil || !strings.Contains(err.Error(), "nobody answers") {
		t.Errorf("Request with no responder: %v, want one saying nobody answers", err)
	}
}

// TestUnsubscribeAndRefusals: after UNSUB nothing more arrives; wildcards in a
// published subject and a misplaced > are refused before sending.
func TestUnsubscribeAndRefusals(t *testing.T) {
	b := brokertest.Start(t)
	c := connect(t, b.NATS, natsclient.Options{})
	s, err := c.Subscribe(ctx(t), "lab.a")
	if err != nil {
		t.Fatal(err)
	}
	subscribe(t, c, "lab.b")
	if err := s.Unsubscribe(); err != nil {
		t.Fatal(err)
	}
	c.Publish("lab.a", []byte("gone"))
	c.Publish("lab.b", []byte("here"))
	if m := next(t, c); m.Subject != "lab.b" {
		t.Errorf("after UNSUB lab.a received %s %q, want only lab.b", m.Subject, m.Data)
	}
	for _, s := range []string{"lab.*", "lab.>", "", "lab..x", "lab x"} {
		if err := c.Publish(s, nil); err == nil {
			t.Errorf("Publish(%q) succeeded, want refused", s)
		}
	}
	if _, err := c.Subscribe(ctx(t), "lab.>.x"); err == nil {
		t.Error("Subscribe(lab.>.x) succeeded, want refused")
	}
	c.Close()
	if _, ok := <-c.Receive(); ok {
		t.Error("Receive still open after Close")
	}
}

// TestConnectionRefused: no server listening gives a dial error naming the address.
func TestConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = natsclient.Connect(ctx(t), addr, natsclient.Options{})
	if err == nil || !strings.Contains(err.Error(), "cannot connect to "+addr) || !strings.Contains(err.Error(), "refused") {
		t.Errorf("Connect to a closed port: %v, want a refused connection to %s", err, addr)
	}
}

// TestAcrossMQTT: the broker shares its messages between NATS and MQTT; the
// MQTT topic lab/sensors/t1 is the NATS subject lab.sensors.t1, both ways.
func TestAcrossMQTT(t *testing.T) {
	b := brokertest.Start(t)
	nc := connect(t, b.NATS, natsclient.Options{})
	subscribe(t, nc, "lab.sensors.*")
	mc, err := mqttclient.Connect(ctx(t), b.MQTT, mqttclient.Options{ClientID: "across"})
	if err != nil {
		t.Fatal(err)
	}
	defer mc.Disconnect(time.Second)
	if _, err := mc.Subscribe(ctx(t), "lab/doors/+", 1); err != nil {
		t.Fatal(err)
	}
	if err := mc.Publish(ctx(t), "lab/sensors/t1", []byte("21.5"), 1, false); err != nil {
		t.Fatal(err)
	}
	if m := next(t, nc); m.Subject != "lab.sensors.t1" || string(m.Data) != "21.5" {
		t.Errorf("NATS got %s %q, want lab.sensors.t1 \"21.5\" from MQTT", m.Subject, m.Data)
	}
	if err := nc.Publish("lab.doors.front", []byte("open")); err != nil {
		t.Fatal(err)
	}
	if m := brokertest.Next(t, mc.Receive(), mc.Err); m.Topic != "lab/doors/front" || string(m.Payload) != "open" {
		t.Errorf("MQTT got %s %q, want lab/doors/front \"open\" from NATS", m.Topic, m.Payload)
	}
}
