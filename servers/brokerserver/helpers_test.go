package brokerserver

import (
	"context"
	"crypto/tls"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/lab/labdir"
	"github.com/protocollab/protolab/protocols/mqtt"
	natsproto "github.com/protocollab/protolab/protocols/nats"
	"github.com/protocollab/protolab/servers/internal/labtls"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// testBroker starts a broker with its store in a temporary folder (opts'
// own, if set) until the test ends.
func testBroker(t testing.TB, opts BrokerOptions) *Broker {
	t.Helper()
	if opts.StoreDir == "" {
		opts.StoreDir = t.TempDir()
	}
	b, err := NewBroker(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

// testListener serves one of b's listeners on 127.0.0.1:0 until the test ends
// and returns its address.
func testListener(t testing.TB, b *Broker, protocol string, cfg *tls.Config, tap *lab.Tap) string {
	t.Helper()
	srv, err := New(Options{Broker: b, Protocol: protocol, TLS: cfg, Tap: tap})
	if err != nil {
		t.Fatal(err)
	}
	return servertest.Start(t, srv, ErrServerClosed)
}

// testLab is a broker with its NATS and MQTT listeners, tapped into one hub.
type testLab struct {
	hub        *lab.Hub
	b          *Broker
	nats, mqtt string // the listeners' addresses
}

func newTestLab(t testing.TB, opts BrokerOptions) *testLab {
	t.Helper()
	hub := lab.NewHub(lab.HubOptions{})
	b := testBroker(t, opts)
	return &testLab{
		hub:  hub,
		b:    b,
		nats: testListener(t, b, NATS, nil, hub.Tap(&lab.Protocol{Name: natsproto.Name, Transport: "tcp"})),
		mqtt: testListener(t, b, MQTT, nil, hub.Tap(&lab.Protocol{Name: mqtt.Name, Transport: "tcp"})),
	}
}

// natsConn connects nats.go to addr until the test ends.
func natsConn(t testing.TB, addr string) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect("nats://"+addr, nats.Timeout(5*time.Second), nats.NoReconnect())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// hostPort splits addr for the clients' -h and -p.
func hostPort(t testing.TB, addr string) (string, string) {
	t.Helper()
	host, port, ok := strings.Cut(addr, ":")
	if !ok {
		t.Fatalf("address %q", addr)
	}
	return host, port
}

// need skips the test when the program is not installed.
func need(t testing.TB, program string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	if err != nil {
		t.Skipf("%s is not installed (scripts/setup installs it)", program)
	}
	return path
}

// command is a program the test runs in the background, its output kept.
type command struct {
	cmd  *exec.Cmd
	out  servertest.SyncBuffer
	done chan error
}

// start runs name with args until it ends or the test does.
func start(t testing.TB, name string, args ...string) *command {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	c := &command{cmd: exec.CommandContext(ctx, need(t, name), args...), done: make(chan error, 1)}
	c.cmd.Stdout, c.cmd.Stderr = &c.out, &c.out
	if err := c.cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	go func() { c.done <- c.cmd.Wait(); cancel() }()
	t.Cleanup(func() { cancel(); <-c.done })
	return c
}

// wait waits for the program to end and returns its output; it fails the test
// if it failed.
func (c *command) wait(t testing.TB) string {
	t.Helper()
	if err := <-c.done; err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(c.cmd.Args, " "), err, c.out.String())
	}
	c.done <- nil
	return c.out.String()
}

// run runs name with args to the end and returns its output.
func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	return start(t, name, args...).wait(t)
}

// convsOf returns the hub's conversations of protocol, once settled.
func convsOf(hub *lab.Hub, protocol string) []lab.ConvInfo {
	hub.Settle()
	var out []lab.ConvInfo
	for _, c := range hub.Conversations() {
		if c.Protocol == protocol {
			out = append(out, c)
		}
	}
	return out
}

// captured returns the bytes the hub's taps saw in conversation id, in direction dir.
func captured(hub *lab.Hub, id lab.ConvID, dir lab.Dir) []byte {
	hub.Settle()
	var b []byte
	for _, e := range hub.Events(0) {
		if e.Conv == id && e.Kind == lab.KindData && e.Dir == dir {
			b = append(b, e.Data...)
		}
	}
	return b
}

// firstData is the first bytes the hub's taps saw in conversation id, and their direction.
func firstData(hub *lab.Hub, id lab.ConvID) (lab.Dir, []byte) {
	hub.Settle()
	for _, e := range hub.Events(0) {
		if e.Conv == id && e.Kind == lab.KindData {
			return e.Dir, e.Data
		}
	}
	return 0, nil
}

// labTLS makes the lab's CA in a temporary configuration folder and returns a
// server configuration with a certificate from it, and the CA's certificate
// exported to a file for outside clients (what `protolab ca export` writes).
func labTLS(t testing.TB) (*tls.Config, string) {
	t.Helper()
	dir := t.TempDir()
	t.Setenv(labdir.EnvConfig, dir)
	cert, err := labtls.Cert("brokerserver", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ca, err := labca.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "lab-ca.pem")
	if err := ca.Export(caFile); err != nil {
		t.Fatal(err)
	}
	return labtls.AEADConfig(cert), caFile
}
