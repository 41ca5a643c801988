package mqtt

import (
	"crypto/tls"
	"fmt"
	"net"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/nats-io/nats.go"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
	natsproto "github.com/protocollab/protolab/protocols/nats"
	"github.com/protocollab/protolab/protocols/tcp"
)

// front puts a listener on 127.0.0.1, tapped for p, in front of upstream (one
// of nats-server's), wrapped by wrap if not nil.
func front(t *testing.T, hub *lab.Hub, p *lab.Protocol, upstream string, wrap func(net.Listener) net.Listener) *analyzertest.Proxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tl := hub.Tap(p).Listener(l)
	if wrap != nil {
		tl = wrap(tl)
	}
	return analyzertest.Relay(t, tl, upstream)
}

// TestHub runs one message through nats-server as the lab shows it: a QoS 2
// PUBLISH on MQTT, delivered to an MQTT subscriber over TLS (mqtts) and to a
// NATS subscriber. The three conversations carry the same publication: the
// subject nats-server used, the payload's digest and size.
func TestHub(t *testing.T) {
	s, o := startBroker(t)
	mqttP, mqttsP, natsP := Protocol(), TLSProtocol(), natsproto.Protocol()
	reg := &lab.Registry{}
	for _, p := range []*lab.Protocol{tcp.Protocol(), mqttP, mqttsP, natsP} {
		reg.Register(p)
	}
	hub := lab.NewHub(lab.HubOptions{Registry: reg})
	ca, err := labca.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Leaf("mqtt.lab.test")
	if err != nil {
		t.Fatal(err)
	}
	broker := fmt.Sprintf("127.0.0.1:%d", o.MQTT.Port)
	plain := front(t, hub, mqttP, broker, nil)
	secure := front(t, hub, mqttsP, broker, func(l net.Listener) net.Listener {
		return tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{cert}, KeyLogWriter: hub.Keys()})
	})
	natsFront := front(t, hub, natsP, strings.TrimPrefix(s.ClientURL(), "nats://"), nil)

	nc, err := nats.Connect("nats://" + natsFront.Addr)
	if err != nil {
		t.Fatal(err)
	}
	fromNATS := make(chan *nats.Msg, 4)
	if _, err := nc.ChanSubscribe("lab.>", fromNATS); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	fromMQTT := make(chan paho.Message, 4)
	sub := paho.NewClient(paho.NewClientOptions().AddBroker("ssl://" + secure.Addr).SetClientID("sub").SetAutoReconnect(false).
		SetTLSConfig(&tls.Config{ServerName: "mqtt.lab.test", RootCAs: ca.Pool()}))
	wait(t, sub.Connect())
	wait(t, sub.Subscribe("lab/#", 2, func(_ paho.Client, m paho.Message) { fromMQTT <- m }))
	pub := paho.NewClient(paho.NewClientOptions().AddBroker("tcp://" + plain.Addr).SetClientID("pub").SetAutoReconnect(false))
	wait(t, pub.Connect())
	wait(t, pub.Publish("lab/sensors/t1", 2, false, "21.5"))
	for _, got := range []func() bool{
		func() bool { m := <-fromNATS; return m.Subject == "lab.sensors.t1" },
		func() bool { m := <-fromMQTT; return m.Topic() == "lab/sensors/t1" },
	} {
		done := make(chan bool, 1)
		go func() { done <- got() }()
		select {
		case ok := <-done:
			if !ok {
				t.Fatal("a delivery to the wrong subject")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a delivery did not come")
		}
	}
	pub.Disconnect(250)
	sub.Disconnect(250)
	nc.Close()
	for _, p := range []*analyzertest.Proxy{plain, secure, natsFront} {
		p.Conns() // until the connections ended
	}
	hub.Settle()

	want := lab.Publication{Subject: "lab.sensors.t1", Digest: lab.PayloadDigest([]byte("21.5")), Size: 4}
	for _, tt := range []struct {
		p     *lab.Protocol
		layer string
		dir   lab.Dir
	}{{mqttP, Name, lab.ClientToServer}, {mqttsP, Name, lab.ServerToClient}, {natsP, natsproto.Name, lab.ServerToClient}} {
		var pubs []lab.Publication
		var summaries, states []string
		for _, ci := range hub.Conversations() {
			if ci.Protocol != tt.p.Name {
				continue
			}
			for _, e := range hub.ConvEvents(ci.ID) {
				switch {
				case e.Kind == lab.KindMessage && e.Layer == tt.layer:
					summaries = append(summaries, e.Msg.Summary)
					if e.Msg.Pub != nil && e.Msg.Dir == tt.dir {
						pubs = append(pubs, *e.Msg.Pub)
					}
				case e.Kind == lab.KindState && e.Layer == tt.layer:
					states = append(states, e.To)
				}
			}
		}
		if !reflect.DeepEqual(pubs, []lab.Publication{want}) {
			t.Errorf("%s: publications %+v in %q, want %+v", tt.p.Name, pubs, summaries, want)
		}
		if tt.layer == Name && !slices.Equal(states, []string{StateConnecting, StateConnected, StateDisconnected}) {
			t.Errorf("%s: MQTT states %q", tt.p.Name, states)
		}
	}
}
