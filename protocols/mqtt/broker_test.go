package mqtt

import (
	"fmt"
	"slices"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// startBroker runs nats-server with MQTT, as the lab's broker does, on
// 127.0.0.1 ports chosen by the system, and returns it.
func startBroker(t *testing.T) (*server.Server, *server.Options) {
	t.Helper()
	o := &server.Options{
		ServerName: "lab", Host: "127.0.0.1", Port: -1, NoSigs: true,
		JetStream: true, StoreDir: t.TempDir(),
		MQTT: server.MQTTOpts{Host: "127.0.0.1", Port: -1},
	}
	s, err := server.NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	s.Start()
	t.Cleanup(s.Shutdown)
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	return s, o
}

func wait(t *testing.T, tok paho.Token) {
	t.Helper()
	if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("paho: %v", tok.Error())
	}
}

// TestBroker publishes through nats-server's MQTT to a NATS subscriber, across
// a recording proxy: the subjects nats-server delivers to must be the ones the
// analyzer marks, and QoS 1 and 2 must go through their exchanges.
func TestBroker(t *testing.T) {
	s, o := startBroker(t)
	nc, err := nats.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	got := make(chan *nats.Msg, 64)
	sub, err := nc.ChanSubscribe("lab.>", got)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}

	proxy := analyzertest.NewProxy(t, fmt.Sprintf("127.0.0.1:%d", o.MQTT.Port))
	c := paho.NewClient(paho.NewClientOptions().AddBroker("tcp://"+proxy.Addr).SetClientID("lab1").
		SetAutoReconnect(false).SetWill("lab/will", "gone", 1, false))
	wait(t, c.Connect())
	topics := []struct {
		topic string
		qos   byte
	}{{"lab/sensors/t1", 0}, {"lab/a.b", 1}, {"lab//x", 2}, {"lab/x/", 0}, {"lab/.", 1}}
	var delivered []string
	for i, tp := range topics {
		wait(t, c.Publish(tp.topic, tp.qos, false, fmt.Sprintf("message %d", i)))
		select {
		case m := <-got:
			delivered = append(delivered, m.Subject)
			if want, _ := TopicToSubject(tp.topic); m.Subject != want {
				t.Errorf("nats-server published %q to %q, TopicToSubject says %q", tp.topic, m.Subject, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no NATS message for %q", tp.topic)
		}
	}
	c.Disconnect(250)

	conns := proxy.Conns()
	if len(conns) != 1 {
		t.Fatalf("%d connections", len(conns))
	}
	for _, chunk := range []int{0, 1} {
		msgs := analyzertest.Feed(NewAnalyzer(), conns[0], chunk)
		analyzertest.CheckSpans(t, msgs)
		if got := analyzertest.States(msgs); !slices.Equal(got, []string{StateConnecting, StateConnected, StateDisconnected}) {
			t.Errorf("states %q", got)
		}
		if got := subjects(msgs); !slices.Equal(got, delivered) {
			t.Errorf("the analyzer's subjects %q, nats-server's %q", got, delivered)
		}
		want := []string{"qos1/client 1/published", "qos1/client 1/acknowledged",
			"qos2/client 2/published", "qos2/client 2/received", "qos2/client 2/released", "qos2/client 2/complete",
			"qos1/client 3/published", "qos1/client 3/acknowledged"}
		if got := exchanges(msgs); !slices.Equal(got, want) {
			t.Errorf("exchanges\n%q, want\n%q\n(%q)", got, want, analyzertest.Summaries(msgs))
		}
	}
}
