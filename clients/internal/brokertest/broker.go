// Package brokertest runs an embedded NATS server with MQTT (and the JetStream
// MQTT needs) on free loopback ports, for the messaging clients' tests.
package brokertest

import (
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Broker is a running embedded broker.
type Broker struct {
	NATS string // the NATS listener's address, "127.0.0.1:port"
	MQTT string // the MQTT listener's address
	srv  *server.Server
}

// Start runs a broker for the test; it shuts down when the test ends.
func Start(t testing.TB) *Broker {
	t.Helper()
	mqttPort := freePort(t)
	o := &server.Options{
		ServerName: "lab-test",
		Host:       "127.0.0.1",
		Port:       -1,
		NoLog:      true,
		NoSigs:     true,
		JetStream:  true,
		StoreDir:   t.TempDir(),
		MQTT:       server.MQTTOpts{Host: "127.0.0.1", Port: mqttPort},
	}
	s, err := server.NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	t.Cleanup(func() {
		s.Shutdown()
		s.WaitForShutdown()
	})
	if !s.ReadyForConnections(20 * time.Second) {
		t.Fatal("the embedded broker did not become ready")
	}
	return &Broker{NATS: s.Addr().String(), MQTT: net.JoinHostPort("127.0.0.1", strconv.Itoa(mqttPort)), srv: s}
}

// freePort is a loopback port nothing listens on: nats-server does not say
// which port it chose for MQTT.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
