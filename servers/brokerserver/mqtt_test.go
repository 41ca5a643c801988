package brokerserver

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/mqtt"
)

// waitFor polls cond until it holds, failing the test after a generous bound:
// for what an outside program does, which says nothing when it is done.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("waited 20s for %s", what)
		}
	}
}

// subscribed waits until n MQTT conversations of the hub have been answered a
// SUBACK (the broker's second packet, after CONNACK): an outside subscriber is
// ready for what is published next.
func (l *testLab) subscribed(t testing.TB, n int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d SUBACKs", n), func() bool {
		got := 0
		for _, c := range convsOf(l.hub, mqtt.Name) {
			s2c := captured(l.hub, c.ID, lab.ServerToClient)
			if len(s2c) > 4 && s2c[4] == 0x90 { // CONNACK is 4 bytes
				got++
			}
		}
		return got >= n
	})
}

func (l *testLab) mosquittoArgs(t testing.TB, args ...string) []string {
	host, port := hostPort(t, l.mqtt)
	return append([]string{"-h", host, "-p", port, "-V", "mqttv311"}, args...)
}

// TestMosquittoQoS sends one message at each QoS from mosquitto_pub to
// mosquitto_sub through the broker, and checks the publisher's handshake on
// the wire: none for QoS 0, PUBACK for 1, PUBREC, PUBREL, PUBCOMP for 2.
func TestMosquittoQoS(t *testing.T) {
	for qos, want := range [][]byte{
		nil,
		{0x40, 0x02, 0x00, 0x01}, // PUBACK
		{0x50, 0x02, 0x00, 0x01, 0x70, 0x02, 0x00, 0x01}, // PUBREC, PUBCOMP
	} {
		t.Run(fmt.Sprint("qos", qos), func(t *testing.T) {
			l := newTestLab(t, BrokerOptions{})
			q := fmt.Sprint(qos)
			sub := start(t, "mosquitto_sub", l.mosquittoArgs(t, "-t", "lab/sensors/+", "-q", q, "-C", "1", "-v")...)
			l.subscribed(t, 1)
			run(t, "mosquitto_pub", l.mosquittoArgs(t, "-t", "lab/sensors/t1", "-q", q, "-m", "21.5")...)
			if got, want := sub.wait(t), "lab/sensors/t1 21.5\n"; got != want {
				t.Errorf("mosquitto_sub printed %q, want %q", got, want)
			}
			convs := convsOf(l.hub, mqtt.Name)
			if len(convs) != 2 {
				t.Fatalf("%d MQTT conversations, want 2", len(convs))
			}
			pub := convs[1].ID
			if dir, first := firstData(l.hub, pub); dir != lab.ClientToServer || len(first) == 0 || first[0] != 0x10 {
				t.Errorf("the publisher's first bytes: %v % x, want the client's CONNECT (10 ...)", dir, first)
			}
			s2c := captured(l.hub, pub, lab.ServerToClient)
			if got := s2c[4:]; !bytes.Equal(got, want) {
				t.Errorf("after CONNACK the broker sent the publisher % x, want % x", got, want)
			}
			if qos == 2 && !bytes.Contains(captured(l.hub, pub, lab.ClientToServer), []byte{0x62, 0x02, 0x00, 0x01}) {
				t.Error("the publisher's PUBREL is not in the capture")
			}
		})
	}
}

// TestWildcards: "+" matches one level, "#" any number.
func TestWildcards(t *testing.T) {
	l := newTestLab(t, BrokerOptions{})
	one := start(t, "mosquitto_sub", l.mosquittoArgs(t, "-t", "lab/+/t1", "-C", "1", "-v")...)
	all := start(t, "mosquitto_sub", l.mosquittoArgs(t, "-t", "lab/#", "-C", "2", "-v")...)
	l.subscribed(t, 2)
	run(t, "mosquitto_pub", l.mosquittoArgs(t, "-t", "lab/other/t2/deep", "-m", "a")...)
	run(t, "mosquitto_pub", l.mosquittoArgs(t, "-t", "lab/sensors/t1", "-m", "b")...)
	if got, want := one.wait(t), "lab/sensors/t1 b\n"; got != want {
		t.Errorf("lab/+/t1 got %q, want %q", got, want)
	}
	if got, want := all.wait(t), "lab/other/t2/deep a\nlab/sensors/t1 b\n"; got != want {
		t.Errorf("lab/# got %q, want %q", got, want)
	}
}

// TestPaho drives the broker with Python's paho-mqtt: a subscriber at QoS 2
// gets one message published at each QoS, with the QoS it was sent at.
func TestPaho(t *testing.T) {
	l := newTestLab(t, BrokerOptions{})
	host, port := hostPort(t, l.mqtt)
	out := run(t, "/usr/bin/python3", "-c", pahoScript, host, port)
	want := "lab/py/0 qos=0 m0\nlab/py/1 qos=1 m1\nlab/py/2 qos=2 m2\n"
	if out != want {
		t.Errorf("paho printed:\n%s\nwant:\n%s", out, want)
	}
}

const pahoScript = `
import sys, threading
import paho.mqtt.client as mqtt
host, port = sys.argv[1], int(sys.argv[2])
got, ready = [], threading.Event()
done = threading.Event()
def on_message(c, u, m):
    got.append("%s qos=%d %s" % (m.topic, m.qos, m.payload.decode()))
    if len(got) == 3:
        done.set()
sub = mqtt.Client(client_id="py-sub", protocol=mqtt.MQTTv311)
sub.on_message = on_message
sub.on_subscribe = lambda c, u, mid, q: ready.set()
sub.on_connect = lambda c, u, f, rc: c.subscribe("lab/py/#", qos=2)
sub.connect(host, port)
sub.loop_start()
if not ready.wait(20): sys.exit("no SUBACK")
pub = mqtt.Client(client_id="py-pub", protocol=mqtt.MQTTv311)
pub.connect(host, port)
pub.loop_start()
for q in range(3):
    pub.publish("lab/py/%d" % q, "m%d" % q, qos=q).wait_for_publish(20)
if not done.wait(20): sys.exit("got only %r" % got)
pub.disconnect(); pub.loop_stop()
sub.disconnect(); sub.loop_stop()
print("\n".join(sorted(got)))
`

// TestLastWill: a client that drops its connection without DISCONNECT has its
// will published; a NATS client sees it too.
func TestLastWill(t *testing.T) {
	l := newTestLab(t, BrokerOptions{})
	nc := natsConn(t, l.nats)
	will, err := nc.SubscribeSync("lab.will")
	if err != nil {
		t.Fatal(err)
	}
	nc.Flush()
	sub := start(t, "mosquitto_sub", l.mosquittoArgs(t, "-t", "lab/will", "-q", "1", "-C", "1", "-v")...)
	l.subscribed(t, 1)

	host, port := hostPort(t, l.mqtt)
	dropper := start(t, "/usr/bin/python3", "-c", `
import sys, os, time
import paho.mqtt.client as mqtt
c = mqtt.Client(client_id="dropper", protocol=mqtt.MQTTv311)
c.will_set("lab/will", "dropper is gone", qos=1)
c.on_connect = lambda c, u, f, rc: (print("connected", rc, flush=True), os._exit(0))
c.connect(sys.argv[1], int(sys.argv[2]))
c.loop_forever()
`, host, port)
	if got := dropper.wait(t); got != "connected 0\n" {
		t.Fatalf("the dropping client printed %q", got)
	}
	if got, want := sub.wait(t), "lab/will dropper is gone\n"; got != want {
		t.Errorf("mosquitto_sub got %q, want %q", got, want)
	}
	m, err := will.NextMsg(20 * time.Second)
	if err != nil {
		t.Fatalf("NATS: no will: %v", err)
	}
	if string(m.Data) != "dropper is gone" {
		t.Errorf("NATS got %q", m.Data)
	}
}

// TestMQTTToNATS: the topic lab/sensors/t1 is the subject lab.sensors.t1, both ways.
func TestMQTTToNATS(t *testing.T) {
	l := newTestLab(t, BrokerOptions{})
	nc := natsConn(t, l.nats)
	s, err := nc.SubscribeSync("lab.sensors.*")
	if err != nil {
		t.Fatal(err)
	}
	nc.Flush()
	run(t, "mosquitto_pub", l.mosquittoArgs(t, "-t", "lab/sensors/t1", "-q", "1", "-m", "21.5")...)
	m, err := s.NextMsg(20 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "lab.sensors.t1" || string(m.Data) != "21.5" {
		t.Errorf("NATS got %s %q, want lab.sensors.t1 \"21.5\"", m.Subject, m.Data)
	}

	sub := start(t, "mosquitto_sub", l.mosquittoArgs(t, "-t", "lab/sensors/#", "-C", "1", "-v")...)
	l.subscribed(t, 1)
	if err := nc.Publish("lab.sensors.t1", []byte("22")); err != nil {
		t.Fatal(err)
	}
	nc.Flush()
	if got, want := sub.wait(t), "lab/sensors/t1 22\n"; got != want {
		t.Errorf("mosquitto_sub got %q, want %q", got, want)
	}
}

// TestMQTTS subscribes with mosquitto_sub over TLS, trusting the lab's CA,
// and checks the capture begins with the client's ClientHello.
func TestMQTTS(t *testing.T) {
	cfg, caFile := labTLS(t)
	hub := lab.NewHub(lab.HubOptions{})
	b := testBroker(t, BrokerOptions{})
	addr := testListener(t, b, MQTT, cfg, hub.Tap(&lab.Protocol{Name: mqtt.TLSName, Transport: "tcp"}))
	_, port := hostPort(t, addr)
	sub := start(t, "mosquitto_sub", "-h", "localhost", "-p", port, "--cafile", caFile, "-V", "mqttv311",
		"-t", "lab/secure", "-C", "1", "-v")
	waitFor(t, "the TLS subscriber", func() bool { return b.Clients() == 1 && len(convsOf(hub, mqtt.TLSName)) == 1 })
	nc := natsConn(t, testListener(t, b, NATS, nil, nil))
	// The subscription may not be in place yet: publish until it is.
	waitFor(t, "the message over TLS", func() bool {
		nc.Publish("lab.secure", []byte("sealed"))
		nc.Flush()
		return strings.Contains(sub.out.String(), "sealed") || len(sub.done) > 0
	})
	if got, want := sub.wait(t), "lab/secure sealed\n"; got != want {
		t.Errorf("mosquitto_sub got %q, want %q", got, want)
	}
	convs := convsOf(hub, mqtt.TLSName)
	if dir, first := firstData(hub, convs[0].ID); dir != lab.ClientToServer || len(first) == 0 || first[0] != 0x16 {
		t.Errorf("the first bytes: %v % x, want the client's ClientHello (16 ...)", dir, first)
	}
}
