package brokerserver

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
)

// Defaults for the BrokerOptions fields left zero.
const (
	DefaultMaxMemory  = 64 << 20  // JetStream's memory store
	DefaultMaxStore   = 256 << 20 // JetStream's file store: retained messages, sessions, QoS 1 and 2 messages
	DefaultMaxPayload = 1 << 20   // a NATS message's payload, an MQTT packet's remaining length
)

// startTimeout bounds how long NewBroker waits for the broker and JetStream to be ready.
const startTimeout = 15 * time.Second

// BrokerOptions configures a Broker. The only required field is StoreDir.
type BrokerOptions struct {
	// StoreDir is the folder JetStream keeps its streams in: MQTT's retained
	// messages, sessions and messages in flight, and any stream a NATS client
	// makes. It is made if missing. Required.
	StoreDir string
	// Clear, if true, empties StoreDir before the broker starts: the retained
	// messages and sessions of earlier runs are gone.
	Clear bool
	// MaxMemory and MaxStore bound JetStream's memory and file stores, in
	// bytes. Zero means DefaultMaxMemory and DefaultMaxStore.
	MaxMemory, MaxStore int64
	// MaxPayload bounds a NATS message's payload and an MQTT packet's size, in
	// bytes; a client that sends more is disconnected. Zero means DefaultMaxPayload.
	MaxPayload int32
}

// Broker is one embedded nats-server with JetStream, serving NATS and MQTT
// 3.1.1 clients that share its subjects. Its own listeners, one for NATS and
// one for MQTT, are on free loopback ports that only ServeNATS and ServeMQTT
// dial (see the package's doc). Its methods are safe for concurrent use.
type Broker struct {
	ns       *natsserver.Server
	natsAddr string
	mqttAddr string
	relays   sync.WaitGroup // the connections ServeNATS and ServeMQTT relay

	mu     sync.Mutex
	closed bool // Close has begun: no relay starts
}

// NewBroker starts a broker with opts, JetStream ready, and returns it.
func NewBroker(opts BrokerOptions) (*Broker, error) {
	if opts.StoreDir == "" {
		return nil, errors.New("brokerserver: no folder for JetStream's store")
	}
	if opts.Clear {
		if err := clearStore(opts.StoreDir); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(opts.StoreDir, 0o700); err != nil {
		return nil, fmt.Errorf("brokerserver: JetStream's store: %w", err)
	}
	nopts := &natsserver.Options{
		ServerName:         "protolab",
		Host:               "127.0.0.1",
		Port:               -1, // -1: a free port
		NoLog:              true,
		NoSigs:             true,
		MaxPayload:         orDefault(opts.MaxPayload, DefaultMaxPayload),
		JetStream:          true,
		StoreDir:           opts.StoreDir,
		JetStreamMaxMemory: orDefault(opts.MaxMemory, DefaultMaxMemory),
		JetStreamMaxStore:  orDefault(opts.MaxStore, DefaultMaxStore),
		MQTT:               natsserver.MQTTOpts{Host: "127.0.0.1", Port: -1}, // -1: a free port
	}
	ns, err := natsserver.NewServer(nopts)
	if err != nil {
		return nil, fmt.Errorf("brokerserver: %w", err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(startTimeout) {
		ns.Shutdown()
		ns.WaitForShutdown()
		return nil, fmt.Errorf("brokerserver: the broker did not start within %v — is %s writable and not used by another broker?", startTimeout, opts.StoreDir)
	}
	// nats-server writes the MQTT port it bound in place of -1 before it
	// reports ready (its lock orders the two); it has no accessor for it.
	return &Broker{
		ns:       ns,
		natsAddr: ns.Addr().String(),
		mqttAddr: net.JoinHostPort("127.0.0.1", strconv.Itoa(nopts.MQTT.Port)),
	}, nil
}

func orDefault[N int32 | int64](v, def N) N {
	if v <= 0 {
		return def
	}
	return v
}

// clearStore removes what JetStream keeps in dir, and dir itself.
func clearStore(dir string) error {
	if err := os.RemoveAll(filepath.Clean(dir)); err != nil {
		return fmt.Errorf("brokerserver: clearing the retained messages and sessions: %w", err)
	}
	return nil
}

// Clients is the number of clients the broker serves, NATS and MQTT.
func (b *Broker) Clients() int { return b.ns.NumClients() }

// Close disconnects every client (MQTT clients' last wills are published) and
// stops the broker, JetStream's store written. Later calls do nothing.
func (b *Broker) Close() {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	b.ns.Shutdown() // closes the broker's end of every relay
	b.ns.WaitForShutdown()
	b.relays.Wait()
}
