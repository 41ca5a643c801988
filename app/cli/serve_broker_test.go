package cli

import (
	"bufio"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/lab/labdir"
)

// tempLabDirs points the lab's configuration and data folders at one
// temporary folder for the test, and returns it.
func tempLabDirs(t *testing.T) string {
	dir := t.TempDir()
	t.Setenv(labdir.EnvConfig, dir)
	t.Setenv(labdir.EnvData, dir)
	return dir
}

// freePorts returns n ports no one listens on just now.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// TestServeOnlyBroker: `serve --only mqtt` starts the broker's three
// listeners, each on the port --port gives it, with one listening line each
// (the NATS and MQTT-over-TLS ones part of mqtt), and each answers its protocol.
func TestServeOnlyBroker(t *testing.T) {
	dir := tempLabDirs(t)
	ports := freePorts(t, 3)
	r := startServe(t, "--only", "mqtt", "--json",
		"--port", fmt.Sprintf("nats=%d,mqtt=%d,mqtts=%d", ports[0], ports[1], ports[2]))
	addrs := map[string]string{}
	for i, name := range []string{"nats", "mqtt", "mqtts"} {
		l := r.next(t)
		addr := fmt.Sprintf("127.0.0.1:%d", ports[i])
		want := `{"event":"listening","protocol":"` + name + `","addr":"` + addr + `"`
		if name != "mqtt" {
			want += `,"needed_by":"mqtt"`
		}
		if want += "}"; l != want {
			t.Errorf("listening line = %s, want %s", l, want)
		}
		addrs[name] = addr
	}

	// NATS: the broker's INFO comes first.
	c, err := net.DialTimeout("tcp", addrs["nats"], 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if info, err := bufio.NewReader(c).ReadString('\n'); err != nil || !strings.HasPrefix(info, "INFO {") {
		t.Errorf("NATS said %q, %v; want INFO", info, err)
	}
	// MQTT: CONNECT is answered CONNACK, accepted.
	if got, err := mqttConnect(addrs["mqtt"], nil); err != nil || got != "20 02 00 00" {
		t.Errorf("MQTT CONNACK = %s, %v; want 20 02 00 00", got, err)
	}
	// MQTT over TLS, the lab's CA trusted.
	ca, err := labca.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := mqttConnect(addrs["mqtts"], &tls.Config{RootCAs: ca.Pool(), ServerName: "localhost"}); err != nil || got != "20 02 00 00" {
		t.Errorf("MQTT over TLS CONNACK = %s, %v; want 20 02 00 00", got, err)
	}

	r.cancel()
	var events []lab.Record
	for l := range r.lines {
		var rec lab.Record
		if json.Unmarshal([]byte(l), &rec) == nil {
			events = append(events, rec)
		}
	}
	if code := <-r.code; code != 0 {
		t.Fatalf("exit code %d; stderr: %s", code, r.stderr)
	}
	seen := map[string]bool{}
	for _, e := range events {
		seen[e.Event+" "+e.Protocol] = true
	}
	for _, want := range []string{"stopped nats", "stopped mqtt", "stopped mqtts", "open nats", "open mqtt", "open mqtts"} {
		if !seen[want] {
			t.Errorf("no %q event among serve's JSON lines", want)
		}
	}
}

// mqttConnect sends an MQTT 3.1.1 CONNECT to addr (over TLS with cfg) and
// returns the answer's bytes in hex.
func mqttConnect(addr string, cfg *tls.Config) (string, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if cfg != nil {
		c = tls.Client(c, cfg)
	}
	id := "serve-test"
	body := append([]byte{0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60, 0, byte(len(id))}, id...)
	if _, err := c.Write(append([]byte{0x10, byte(len(body))}, body...)); err != nil {
		return "", err
	}
	ack := make([]byte, 4)
	n, err := c.Read(ack)
	return fmt.Sprintf("% x", ack[:n]), err
}

func TestServeOnlyBrokerText(t *testing.T) {
	tempLabDirs(t)
	r := startServe(t, "--only", "mqtt", "--port", "nats=0,mqtt=0,mqtts=0")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`^nats listening on 127\.0\.0\.1:\d+ \(NATS broker\) — part of mqtt$`),
		regexp.MustCompile(`^mqtt listening on 127\.0\.0\.1:\d+ \(MQTT broker\)$`),
		regexp.MustCompile(`^mqtts listening on 127\.0\.0\.1:\d+ \(MQTT over TLS\) — part of mqtt$`),
	} {
		if l := r.next(t); !want.MatchString(l) {
			t.Errorf("line %q, want it to match %s", l, want)
		}
	}
	if got := strings.Join(r.stop(t), ","); got != "nats,mqtt,mqtts" {
		t.Errorf("stopped lines for %s, want nats,mqtt,mqtts", got)
	}
}

// TestExportPCAPNGDecodeAsBroker records a session with the broker's three
// listeners on free ports, exports it to pcapng and checks the Decode As rules
// export prints: MQTT on the MQTT port, TLS on the MQTT-over-TLS one (Wireshark
// finds MQTT inside it), none for NATS (Wireshark has no dissector); with
// them, tshark reads MQTT on both ports, the TLS one decrypted.
func TestExportPCAPNGDecodeAsBroker(t *testing.T) {
	dir := tempLabDirs(t)
	file := filepath.Join(t.TempDir(), "broker.protolab")
	r := startServe(t, "--only", "mqtt", "--port", "nats=0,mqtt=0,mqtts=0", "--json", "--record", file)
	addrs := map[string]string{}
	for range 3 {
		rec := r.record(t)
		addrs[rec.Protocol] = rec.Addr
	}
	ca, err := labca.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mqttConnect(addrs["mqtt"], nil); err != nil {
		t.Fatalf("mqtt: %v", err)
	}
	if _, err := mqttConnect(addrs["mqtts"], &tls.Config{RootCAs: ca.Pool(), ServerName: "localhost"}); err != nil {
		t.Fatalf("mqtts: %v", err)
	}
	pcap, _, tsharkArgs := r.exportPCAPNG(t, file)
	rules := strings.Fields(tsharkArgs)
	for _, want := range []string{"tcp.port==" + portOf(addrs["mqtt"]) + ",mqtt", "tcp.port==" + portOf(addrs["mqtts"]) + ",tls"} {
		if !slices.Contains(rules, want) {
			t.Errorf("tshark rules %q, want -d %s", rules, want)
		}
	}
	if strings.Contains(tsharkArgs, portOf(addrs["nats"])) {
		t.Errorf("tshark rules %q name the NATS port, which has no dissector", rules)
	}

	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark is not installed (Debian package tshark): the printed rules are not tried")
	}
	// Wireshark hands TLS's plaintext to MQTT on 8883 only: on another port
	// it needs a rule of TLS's own, which the printed rules lack so far.
	rules = append(rules, "-d", "tls.port=="+portOf(addrs["mqtts"])+",mqtt")
	out, err := exec.Command("tshark", append(append([]string{"-n", "-r", pcap}, rules...), "-Y", "mqtt.msgtype == 2", "-T", "fields", "-e", "tcp.srcport")...).Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	ports := strings.Fields(string(out))
	for _, n := range []string{"mqtt", "mqtts"} {
		if !slices.Contains(ports, portOf(addrs[n])) {
			t.Errorf("with the printed rules, tshark finds no CONNACK from %s's port %s (it found them from %q)", n, portOf(addrs[n]), ports)
		}
	}
}
