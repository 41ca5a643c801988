// Package brokertest runs the lab's broker (servers/brokerserver: nats-server
// with JetStream behind its front listeners) with its NATS and MQTT listeners
// on free loopback ports, for the messaging clients' tests.
package brokertest

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/protocollab/protolab/servers/brokerserver"
)

// Broker is a running broker.
type Broker struct {
	NATS string // the NATS listener's address, "127.0.0.1:port"
	MQTT string // the MQTT listener's address
}

// Start runs a broker for the test; it stops when the test ends.
func Start(t testing.TB) *Broker {
	t.Helper()
	b, err := brokerserver.NewBroker(brokerserver.BrokerOptions{StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return &Broker{NATS: listen(t, b, brokerserver.NATS), MQTT: listen(t, b, brokerserver.MQTT)}
}

// listen serves protocol on a free loopback port and returns its address.
func listen(t testing.TB, b *brokerserver.Broker, protocol string) string {
	t.Helper()
	srv, err := brokerserver.New(brokerserver.Options{Broker: b, Protocol: protocol})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	<-srv.Started()
	return l.Addr().String()
}

// Context bounds one step of a test: a stuck broker, not a speed check.
func Context(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

// Next is the next message on recv, failing the test when recv closes first
// (saying err(), why the connection ended) or nothing comes within Context.
func Next[M any](t testing.TB, recv <-chan M, err func() error) M {
	t.Helper()
	select {
	case m, ok := <-recv:
		if !ok {
			t.Fatalf("Receive closed, want a message (Err %v)", err())
		}
		return m
	case <-Context(t).Done():
		t.Fatal("no message arrived")
	}
	var zero M
	return zero
}
