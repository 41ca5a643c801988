package mqttclient_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/internal/brokertest"
	"github.com/protocollab/protolab/clients/mqttclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/tcp"
)

// ctx bounds one step of a test.
func ctx(t *testing.T) context.Context { return brokertest.Context(t) }

func connect(t *testing.T, addr string, opts mqttclient.Options) *mqttclient.Client {
	t.Helper()
	c, err := mqttclient.Connect(ctx(t), addr, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Disconnect(time.Second) })
	return c
}

func subscribe(t *testing.T, c *mqttclient.Client, filter string, qos byte) {
	t.Helper()
	if g, err := c.Subscribe(ctx(t), filter, qos); err != nil || g != qos {
		t.Fatalf("Subscribe(%s, %d) granted %d, %v; want %d", filter, qos, g, err, qos)
	}
}

// next is the next message c receives, failing the test when the connection ends first.
func next(t *testing.T, c *mqttclient.Client) mqttclient.Message {
	t.Helper()
	return brokertest.Next(t, c.Receive(), c.Err)
}

// TestQoSLevelsBetweenTwoClients: a message published at QoS 0, 1 and 2
// reaches a subscriber at that QoS, and the hub holds both conversations.
func TestQoSLevelsBetweenTwoClients(t *testing.T) {
	b := brokertest.Start(t)
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	h := lab.NewHub(lab.HubOptions{Registry: reg})
	tap := h.Tap(reg.Lookup(tcp.Name))
	sub := connect(t, b.MQTT, mqttclient.Options{Tap: tap, ClientID: "sub", KeepAlive: 30 * time.Second})
	pub := connect(t, b.MQTT, mqttclient.Options{Tap: tap, ClientID: "pub"})
	subscribe(t, sub, "lab/sensors/t1", 2)
	for qos := byte(0); qos <= 2; qos++ {
		payload := []byte(fmt.Sprintf("21.%d", qos))
		if err := pub.Publish(ctx(t), "lab/sensors/t1", payload, qos, false); err != nil {
			t.Fatalf("Publish QoS %d: %v", qos, err)
		}
		m := next(t, sub)
		if m.Topic != "lab/sensors/t1" || !bytes.Equal(m.Payload, payload) || m.QoS != qos {
			t.Errorf("received %s %q QoS %d, want lab/sensors/t1 %q QoS %d", m.Topic, m.Payload, m.QoS, payload, qos)
		}
		if (m.ID != 0) != (qos > 0) {
			t.Errorf("QoS %d delivery has packet id %d", qos, m.ID)
		}
	}
	// The subscriber's QoS 2 delivery ends with its PUBCOMP, after the message
	// is handed over: a DISCONNECT before it would cut the exchange short.
	waitSent(t, h, sub.Conversation(), "PUBCOMP")
	sub.Disconnect(time.Second)
	pub.Disconnect(time.Second)
	h.Settle()
	for _, tt := range []struct {
		c    *mqttclient.Client
		want string
	}{
		{sub, "CONNECT SUBSCRIBE PUBACK PUBREC PUBCOMP DISCONNECT"},
		{pub, "CONNECT PUBLISH PUBLISH PUBLISH PUBREL DISCONNECT"},
	} {
		var sent []byte
		for _, e := range h.ConvEvents(tt.c.Conversation()) {
			if e.Kind == lab.KindData && e.Dir == lab.ClientToServer {
				sent = append(sent, e.Data...)
			}
		}
		got := packetTypes(sent)
		if g := strings.Join(got, " "); tt.c.Conversation() == 0 || g != tt.want {
			t.Errorf("conversation %d sent %s, want %s captured", tt.c.Conversation(), g, tt.want)
		}
	}
}

// packetTypes names the MQTT control packets in b, in order.
func packetTypes(b []byte) []string {
	names := []string{1: "CONNECT", 3: "PUBLISH", 4: "PUBACK", 5: "PUBREC", 6: "PUBREL", 7: "PUBCOMP", 8: "SUBSCRIBE", 12: "PINGREQ", 14: "DISCONNECT", 15: ""}
	var out []string
	for len(b) >= 2 {
		n, i := 0, 1
		for mul := 1; i < len(b); i, mul = i+1, mul*128 {
			n += int(b[i]&0x7f) * mul
			if b[i]&0x80 == 0 {
				break
			}
		}
		out = append(out, names[b[0]>>4])
		b = b[min(i+1+n, len(b)):]
	}
	return out
}

// waitSent waits until the client of conversation conv has sent a packet
// called name, as the hub saw it.
func waitSent(t *testing.T, h *lab.Hub, conv lab.ConvID, name string) {
	t.Helper()
	s := h.Subscribe(true)
	defer s.Close()
	var sent []byte
	for {
		evs, _ := s.Next(0)
		for _, e := range evs {
			if e.Conv == conv && e.Kind == lab.KindData && e.Dir == lab.ClientToServer {
				sent = append(sent, e.Data...)
			}
		}
		if slices.Contains(packetTypes(sent), name) {
			return
		}
		select {
		case <-s.Ready():
		case <-ctx(t).Done():
			t.Fatalf("conversation %d never sent %s", conv, name)
		}
	}
}

// TestWildcards: + matches one level, # the level and all below it.
func TestWildcards(t *testing.T) {
	b := brokertest.Start(t)
	plus := connect(t, b.MQTT, mqttclient.Options{ClientID: "plus"})
	hash := connect(t, b.MQTT, mqttclient.Options{ClientID: "hash"})
	pub := connect(t, b.MQTT, mqttclient.Options{ClientID: "pub"})
	subscribe(t, plus, "lab/+/t1", 1)
	subscribe(t, hash, "lab/#", 1)
	for _, topic := range []string{"lab/sensors/t1", "lab/sensors/t2", "lab/a/b/t1", "lab/doors/t1", "other/x"} {
		if err := pub.Publish(ctx(t), topic, []byte(topic), 1, false); err != nil {
			t.Fatal(err)
		}
	}
	// A marker sent last on both filters tells the end of what each receives.
	if err := pub.Publish(ctx(t), "lab/end/t1", nil, 1, false); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		c    *mqttclient.Client
		want string
	}{
		{plus, "lab/sensors/t1 lab/doors/t1 lab/end/t1"},
		{hash, "lab/sensors/t1 lab/sensors/t2 lab/a/b/t1 lab/doors/t1 lab/end/t1"},
	} {
		var got []string
		for len(got) == 0 || got[len(got)-1] != "lab/end/t1" {
			got = append(got, next(t, tt.c).Topic)
		}
		if g := strings.Join(got, " "); g != tt.want {
			t.Errorf("received %s, want %s", g, tt.want)
		}
	}
}

// TestRetained: a retained message reaches a later subscriber, marked retained.
// nats-server files a retained message for new subscriptions a moment after its
// PUBACK, so the subscriber subscribes again (each SUBSCRIBE sends the retained
// messages anew, MQTT 3.1.1 §3.8.4) until it comes before a marker published
// after the SUBACK.
func TestRetained(t *testing.T) {
	b := brokertest.Start(t)
	pub := connect(t, b.MQTT, mqttclient.Options{ClientID: "pub"})
	if err := pub.Publish(ctx(t), "lab/status", []byte("online"), 1, true); err != nil {
		t.Fatal(err)
	}
	late := connect(t, b.MQTT, mqttclient.Options{ClientID: "late"})
	subscribe(t, late, "lab/marker", 1)
	for try := 0; ; try++ {
		if try == 100 {
			t.Fatal("the retained message never reached a new subscription")
		}
		subscribe(t, late, "lab/status", 1)
		if err := pub.Publish(ctx(t), "lab/marker", nil, 1, false); err != nil {
			t.Fatal(err)
		}
		m := next(t, late)
		if m.Topic == "lab/marker" {
			continue
		}
		if string(m.Payload) != "online" || !m.Retained {
			t.Errorf("late subscriber got %s %q retained %v, want \"online\" retained", m.Topic, m.Payload, m.Retained)
		}
		return
	}
}

// TestWillOnDrop: dropping the connection makes the broker publish the will;
// a clean Disconnect does not.
func TestWillOnDrop(t *testing.T) {
	b := brokertest.Start(t)
	watcher := connect(t, b.MQTT, mqttclient.Options{ClientID: "watcher"})
	subscribe(t, watcher, "lab/wills/#", 1)
	will := func(id string) mqttclient.Options {
		return mqttclient.Options{ClientID: id, KeepAlive: 30 * time.Second,
			Will: &mqttclient.Will{Topic: "lab/wills/" + id, Payload: []byte(id + " vanished"), QoS: 1}}
	}
	polite, err := mqttclient.Connect(ctx(t), b.MQTT, will("polite"))
	if err != nil {
		t.Fatal(err)
	}
	polite.Disconnect(time.Second)
	if err := polite.Err(); err != nil {
		t.Errorf("Err after Disconnect = %v, want nil", err)
	}
	rude, err := mqttclient.Connect(ctx(t), b.MQTT, will("rude"))
	if err != nil {
		t.Fatal(err)
	}
	rude.Drop()
	if !errors.Is(rude.Err(), mqttclient.ErrDropped) {
		t.Errorf("Err after Drop = %v, want ErrDropped", rude.Err())
	}
	if m := next(t, watcher); m.Topic != "lab/wills/rude" || string(m.Payload) != "rude vanished" {
		t.Errorf("watcher got %s %q, want only the dropped client's will", m.Topic, m.Payload)
	}
}

// TestRefusedBeforeSending: a wildcard topic, a bad filter and a bad QoS are
// refused without a word to the broker.
func TestRefusedBeforeSending(t *testing.T) {
	b := brokertest.Start(t)
	c := connect(t, b.MQTT, mqttclient.Options{ClientID: "c"})
	if err := c.Publish(ctx(t), "lab/+/t1", []byte("x"), 0, false); !errors.Is(err, mqttclient.ErrWildcardTopic) {
		t.Errorf("Publish to lab/+/t1: %v, want ErrWildcardTopic", err)
	}
	for _, f := range []string{"lab/#/t1", "lab/sens+", "", "lab/#x"} {
		if _, err := c.Subscribe(ctx(t), f, 0); err == nil {
			t.Errorf("Subscribe(%q) succeeded, want refused", f)
		}
	}
	if err := c.Publish(ctx(t), "lab/x", nil, 3, false); err == nil {
		t.Error("Publish at QoS 3 succeeded, want refused")
	}
}

// TestConnectionRefused: no broker listening gives a dial error naming the address.
func TestConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = mqttclient.Connect(ctx(t), addr, mqttclient.Options{ClientID: "c"})
	if err == nil || !strings.Contains(err.Error(), "cannot connect to "+addr) || !strings.Contains(err.Error(), "refused") {
		t.Errorf("Connect to a closed port: %v, want a refused connection to %s", err, addr)
	}
}
