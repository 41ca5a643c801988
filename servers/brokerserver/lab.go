package brokerserver

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"path/filepath"
	"sync"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labdir"
	"github.com/protocollab/protolab/protocols/mqtt"
	natsproto "github.com/protocollab/protolab/protocols/nats"
	"github.com/protocollab/protolab/servers/internal/labtls"
)

// Settings keys and their choices.
const (
	SettingStore = "store" // what becomes of retained messages and sessions at a start: StoreKept or StoreCleared

	StoreKept    = "kept across restarts"
	StoreCleared = "cleared at each start"
)

// Settings are the broker's options, shown in its row's (MQTT's) server pane;
// the NATS and MQTT-over-TLS listeners read them there too.
var Settings = []lab.Setting{{
	Key:     SettingStore,
	Label:   "Retained messages and sessions",
	Default: StoreKept,
	Choices: []string{StoreKept, StoreCleared},
	Help: "the broker keeps MQTT's retained messages and persistent sessions with JetStream in the lab's " +
		"data folder, so they survive a restart; \"cleared\" empties that store each time the broker starts " +
		"(the button below clears it once)",
}}

// ClearAction empties the broker's store once: MQTT's retained messages and
// persistent sessions, and any stream a NATS client made. A running broker is
// stopped for it and started again (its clients are disconnected).
var ClearAction = lab.Action{
	Label: "Clear retained messages and sessions",
	Help: "empties the broker's JetStream store: MQTT's retained messages, persistent sessions and " +
		"messages in flight, and NATS streams; a running broker restarts, disconnecting its clients",
	Confirm: "Clear every retained message and session the broker keeps? A running broker restarts " +
		"and its clients are disconnected.",
	Restart: true,
	Run:     func(context.Context, *lab.Bench) (string, error) { return clearLabStore() },
}

// The modules of the broker's three listeners for the lab's registry (with
// nats.Protocol, mqtt.Protocol and mqtt.TLSProtocol). The MQTT one is the
// rail's row: its switch starts and stops the other two with it.
var (
	NATSModule  = lab.ServerModule{New: NewLabNATS}
	MQTTModule  = lab.ServerModule{New: NewLabMQTT, Settings: Settings, Parts: []string{natsproto.Name, mqtt.TLSName}, Actions: []lab.Action{ClearAction}}
	MQTTSModule = lab.ServerModule{New: NewLabMQTTS}
)

// NewLabNATS adapts the broker's NATS listener to lab.Server. The broker it
// serves is the one the lab's other listeners share (ServerOptions.Lab), started
// with the first of them and stopped with the last.
func NewLabNATS(opts lab.ServerOptions) (lab.Server, error) {
	return newLab(natsproto.Name, NATS, opts, nil), nil
}

// NewLabMQTT adapts the broker's MQTT listener to lab.Server, as NewLabNATS
// does the NATS one. It reads the setting "store" (see Settings).
func NewLabMQTT(opts lab.ServerOptions) (lab.Server, error) {
	return newLab(mqtt.Name, MQTT, opts, nil), nil
}

// NewLabMQTTS adapts the broker's MQTT-over-TLS listener to lab.Server, as
// NewLabNATS does the NATS one. Its certificate comes from the lab's CA, and
// its TLS secrets go to the hub's key log, so the lab shows the plaintext.
func NewLabMQTTS(opts lab.ServerOptions) (lab.Server, error) {
	cert, err := labtls.Cert("brokerserver", opts.Addr)
	if err != nil {
		return nil, err
	}
	return newLab(mqtt.TLSName, MQTT, opts, labtls.WithKeyLog(labtls.AEADConfig(cert), opts.Tap)), nil
}

func newLab(name, protocol string, opts lab.ServerOptions, cfg *tls.Config) lab.Server {
	return &labServer{name: name, protocol: protocol, opts: opts, tls: cfg}
}

// labServer is one listener as the Bench drives it: its Start takes a share of
// the lab's broker, and its stop gives it back.
type labServer struct {
	name, protocol string
	opts           lab.ServerOptions
	tls            *tls.Config

	mu      sync.Mutex
	srv     *Server // nil before Start
	release func()  // gives the broker back; nil when not held
}

func (l *labServer) Start() error {
	b, release, err := acquire(l.opts)
	if err != nil {
		return err
	}
	srv, err := New(Options{Broker: b, Protocol: l.protocol, TLS: l.tls, Tap: l.opts.Tap})
	if err == nil {
		err = lab.StreamServer(l.name, l.opts.Addr, srv, srv.Serve).Start()
	}
	if err != nil {
		release()
		return err
	}
	l.mu.Lock()
	l.srv, l.release = srv, release
	l.mu.Unlock()
	return nil
}

func (l *labServer) server() *Server {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.srv
}

func (l *labServer) Addr() net.Addr {
	if s := l.server(); s != nil {
		return s.Addr()
	}
	return nil
}

func (l *labServer) Sessions() int {
	if s := l.server(); s != nil {
		return s.Sessions()
	}
	return 0
}

func (l *labServer) Close() error {
	s := l.server()
	if s == nil {
		return nil
	}
	err := s.Close()
	l.done()
	return err
}

func (l *labServer) Shutdown(ctx context.Context) error {
	s := l.server()
	if s == nil {
		return nil
	}
	if err := s.Shutdown(ctx); err != nil {
		return err // the Bench closes it next
	}
	l.done()
	return nil
}

// done gives the broker back, once.
func (l *labServer) done() {
	l.mu.Lock()
	release := l.release
	l.release = nil
	l.mu.Unlock()
	if release != nil {
		release()
	}
}

// shared holds the broker of each bench, with the number of its listeners
// that run.
var shared = struct {
	sync.Mutex
	brokers map[*lab.Bench]*share
}{brokers: make(map[*lab.Bench]*share)}

type share struct {
	b    *Broker
	uses int
}

// acquire returns the broker of opts.Lab, starting it if none of its
// listeners runs, and the function that gives it back (the last one closes
// it). Outside a bench each listener has a broker of its own.
func acquire(opts lab.ServerOptions) (*Broker, func(), error) {
	bench := opts.Lab
	if bench == nil {
		b, err := startBroker(opts.Setting(SettingStore, StoreKept))
		if err != nil {
			return nil, nil, err
		}
		return b, b.Close, nil
	}
	shared.Lock()
	defer shared.Unlock()
	sh := shared.brokers[bench]
	if sh == nil {
		b, err := startBroker(bench.Setting(mqtt.Name, SettingStore))
		if err != nil {
			return nil, nil, err
		}
		sh = &share{b: b}
		shared.brokers[bench] = sh
	}
	sh.uses++
	var once sync.Once
	return sh.b, func() {
		once.Do(func() {
			shared.Lock()
			defer shared.Unlock()
			if sh.uses--; sh.uses == 0 {
				// Under the lock: the next start waits for JetStream's store to be let go.
				delete(shared.brokers, bench)
				sh.b.Close()
			}
		})
	}, nil
}

// startBroker starts a broker with its store in the lab's data folder; store
// is the setting "store" ("" for its default).
func startBroker(store string) (*Broker, error) {
	if store == "" {
		store = StoreKept
	}
	if store != StoreKept && store != StoreCleared {
		return nil, fmt.Errorf("brokerserver: %s %q: choose %q or %q", SettingStore, store, StoreKept, StoreCleared)
	}
	dir, err := labStore()
	if err != nil {
		return nil, err
	}
	return NewBroker(BrokerOptions{StoreDir: dir, Clear: store == StoreCleared})
}

// labStore is the folder of the lab's broker store, in the lab's data folder.
func labStore() (string, error) {
	data, err := labdir.Data()
	if err != nil {
		return "", fmt.Errorf("brokerserver: %w", err)
	}
	return filepath.Join(data, "broker"), nil
}

// clearLabStore empties the lab's broker store (ClearAction; the broker is stopped).
func clearLabStore() (string, error) {
	dir, err := labStore()
	if err != nil {
		return "", err
	}
	if err := clearStore(dir); err != nil {
		return "", err
	}
	return "retained messages and sessions cleared (" + dir + ")", nil
}
