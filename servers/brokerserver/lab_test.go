package brokerserver

import (
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
	for _, n := range names {
		if err := b.Stop(n); err != nil {
			t.Errorf("stop %s: %v", n, err)
		}
	}
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
