package brokerserver

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/lab/labdir"
	"github.com/protocollab/protolab/protocols/mqtt"
	natsproto "github.com/protocollab/protolab/protocols/nats"
	"github.com/protocollab/protolab/protocols/tcp"
)

// labBench is a bench with the broker's three listeners on free ports, the
// lab's folders temporary.
func labBench(t *testing.T) (*lab.Bench, string) {
	t.Helper()
	config, data := t.TempDir(), t.TempDir()
	t.Setenv(labdir.EnvConfig, config)
	t.Setenv(labdir.EnvData, data)
	reg := &lab.Registry{}
	reg.RegisterModules(
		lab.Module{Protocol: tcp.Protocol()},
		lab.Module{Protocol: natsproto.Protocol(), Server: &NATSModule},
		lab.Module{Protocol: mqtt.Protocol(), Server: &MQTTModule},
		lab.Module{Protocol: mqtt.TLSProtocol(), Server: &MQTTSModule},
	)
	b := lab.NewBench(lab.NewHub(lab.HubOptions{Registry: reg}), reg)
	for _, n := range reg.WithParts(mqtt.Name) {
		b.SetPort(n, 0)
	}
	t.Cleanup(b.StopAll)
	return b, config
}

// TestLab starts the broker's row as the rail does, its three listeners
// sharing one broker with its store in the lab's data folder: a NATS
// publication reaches an MQTT subscriber over TLS, whose conversation the lab
// decrypts. Stopping the three stops the broker.
func TestLab(t *testing.T) {
	b, config := labBench(t)
	names := b.Registry().WithParts(mqtt.Name)
	if errs := b.StartAll(names...); len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, n := range names {
		if !b.Status(n).Running {
			t.Errorf("%s is not running", n)
		}
	}
	data, _ := labdir.Data()
	if _, err := os.Stat(filepath.Join(data, "broker")); err != nil {
		t.Errorf("JetStream's store in the lab's data folder: %v", err)
	}
	shared.Lock()
	brokers := len(shared.brokers)
	shared.Unlock()
	if brokers != 1 {
		t.Errorf("%d brokers for one bench, want 1", brokers)
	}

	caFile := filepath.Join(t.TempDir(), "lab-ca.pem")
	if ca, err := labca.Open(config); err != nil || ca.Export(caFile) != nil {
		t.Fatalf("the lab's CA: %v", err)
	}
	_, port := hostPort(t, b.Addr(mqtt.TLSName))
	sub := start(t, "mosquitto_sub", "-h", "localhost", "-p", port, "--cafile", caFile, "-V", "mqttv311",
		"-t", "lab/sensors/t1", "-C", "1", "-v")
	hub := b.Hub()
	waitFor(t, "the SUBACK, decrypted", func() bool { return len(mqttSummaries(hub, "SUBACK")) == 1 })
	nc := natsConn(t, b.Addr(natsproto.Name))
	nc.Publish("lab.sensors.t1", []byte("21.5"))
	nc.Flush()
	if got, want := sub.wait(t), "lab/sensors/t1 21.5\n"; got != want {
		t.Errorf("mosquitto_sub got %q, want %q", got, want)
	}
	for _, kind := range []string{"CONNECT", "CONNACK", "SUBSCRIBE", "PUBLISH"} {
		if len(mqttSummaries(hub, kind)) == 0 {
			t.Errorf("no %s in the MQTT-over-TLS conversation", kind)
		}
	}

	nc.Close()
	b.StopAll() // the three at once, as the rail's switch stops them
	shared.Lock()
	brokers = len(shared.brokers)
	shared.Unlock()
	if brokers != 0 {
		t.Errorf("%d brokers left after the three stopped, want none", brokers)
	}
}

// mqttSummaries are the summaries of the MQTT messages the hub framed in
// MQTT-over-TLS conversations that begin with kind and a space.
func mqttSummaries(hub *lab.Hub, kind string) []string {
	hub.Settle()
	tlsConvs := map[lab.ConvID]bool{}
	for _, c := range hub.Conversations() {
		tlsConvs[c.ID] = c.Protocol == mqtt.TLSName
	}
	var out []string
	for _, e := range hub.Events(0) {
		if (e.Kind == lab.KindMessage || e.Kind == lab.KindHandshake) && tlsConvs[e.Conv] && e.Layer == mqtt.Name && strings.HasPrefix(e.Msg.Summary, kind+" ") {
			out = append(out, e.Msg.Summary)
		}
	}
	return slices.Clip(out)
}

// TestClearAction: the broker's button clears what a restart keeps, a
// retained message and a persistent session's queued message, and the running
// broker's three listeners serve again after it.
func TestClearAction(t *testing.T) {
	b, _ := labBench(t)
	names := b.Registry().WithParts(mqtt.Name)
	if errs := b.StartAll(names...); len(errs) > 0 {
		t.Fatal(errs)
	}
	before := &testLab{hub: b.Hub(), mqtt: b.Addr(mqtt.Name)}
	run(t, "mosquitto_pub", before.mosquittoArgs(t, "-t", "lab/retained", "-q", "1", "-r", "-m", "kept")...)
	run(t, "mosquitto_sub", before.mosquittoArgs(t, "-c", "-i", "keeper", "-q", "1", "-t", "lab/queued", "-E")...)
	run(t, "mosquitto_pub", before.mosquittoArgs(t, "-t", "lab/queued", "-q", "1", "-m", "while away")...)

	done, err := b.RunAction(context.Background(), mqtt.Name, ClearAction)
	if err != nil || !strings.Contains(done, "cleared") {
		t.Fatalf("the action: %q, %v", done, err)
	}
	for _, n := range names {
		if !b.Status(n).Running {
			t.Errorf("%s is not running after the action", n)
		}
	}
	after := &testLab{hub: b.Hub(), mqtt: b.Addr(mqtt.Name)}
	retained := start(t, "mosquitto_sub", after.mosquittoArgs(t, "-t", "lab/retained", "-C", "1", "-v")...)
	session := start(t, "mosquitto_sub", after.mosquittoArgs(t, "-i", "keeper", "-c", "-q", "1", "-t", "lab/queued", "-C", "1", "-v", "-x", "60")...)
	after.subscribed(t, 3) // with the one of the session made before
	run(t, "mosquitto_pub", after.mosquittoArgs(t, "-t", "lab/retained", "-m", "live")...)
	run(t, "mosquitto_pub", after.mosquittoArgs(t, "-t", "lab/queued", "-q", "1", "-m", "live")...)
	if got, want := retained.wait(t), "lab/retained live\n"; got != want {
		t.Errorf("after clearing, the first message: %q, want the live one %q", got, want)
	}
	if got, want := session.wait(t), "lab/queued live\n"; got != want {
		t.Errorf("after clearing, the session's first message: %q, want the live one %q", got, want)
	}

	// With the broker off, the action only empties the store.
	b.StopAll()
	if _, err := b.RunAction(context.Background(), mqtt.Name, ClearAction); err != nil {
		t.Fatal(err)
	}
	data, _ := labdir.Data()
	if _, err := os.Stat(filepath.Join(data, "broker")); !os.IsNotExist(err) {
		t.Errorf("the store after clearing a stopped broker: %v, want it gone", err)
	}
	if len(b.Running()) != 0 {
		t.Errorf("clearing a stopped broker started %v", b.Running())
	}
}
