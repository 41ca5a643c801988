// Package mqttclient is the lab's MQTT 3.1.1 client (OASIS MQTT Version 3.1.1),
// built on github.com/eclipse/paho.mqtt.golang: what a person does in the MQTT
// pane. Connect (client id, clean session, keep-alive, username and password, a
// last will), subscribe to topic filters with + and # at a QoS, unsubscribe,
// publish at QoS 0, 1 or 2 with or without retain, watch what arrives, and end
// the session with a DISCONNECT or drop the connection without one, so the
// broker publishes the will.
//
// The tap sits below MQTT: paho's ClientOptions.CustomOpenConnectionFn is the
// lab's dial, so the capture sees every packet from CONNECT on. For mqtts the
// TLS client runs over the tapped connection with the lab's key log, so the
// inspector decrypts it. Paho's own reconnecting is off: a lost connection
// stays lost, as a person dropping it expects. MQTT 5 and WebSocket transport
// are left out.
package mqttclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/protocollab/protolab/clients/labdial"
	"github.com/protocollab/protolab/lab"
)

// DefaultBuffer is how many received messages wait unread when Options.Buffer is zero.
const DefaultBuffer = 256

// ErrDropped is Err after Drop: the connection was closed without DISCONNECT.
var ErrDropped = errors.New("mqttclient: the connection was dropped without DISCONNECT: the broker publishes the will, if one was set")

// Options configures a client. The zero value connects untapped, with a clean
// session, no keep-alive, no login and no will.
type Options struct {
	// Tap captures the connection; nil captures nothing. Dialer, if set, is used
	// instead (its own Tap captures, and lab names resolve through the lab DNS).
	Tap    *lab.Tap
	Dialer *labdial.Dialer
	// ClientID names the session at the broker; "" lets the broker choose
	// (MQTT 3.1.1 allows that only with a clean session).
	ClientID string
	// KeepSession asks the broker to keep the session (subscriptions, QoS 1 and 2
	// messages) after the connection ends: CONNECT's Clean Session flag is 0.
	// False is a clean session.
	KeepSession bool
	// KeepAlive is the most time between two packets the client sends; paho
	// sends PINGREQ when it would pass. Zero turns keep-alive off.
	KeepAlive time.Duration
	// Username and Password log in; an empty Username sends neither. The
	// capture holds them in clear unless TLS is on.
	Username, Password string
	// Will, if non-nil, is the message the broker publishes for the client when
	// the connection ends without DISCONNECT.
	Will *Will
	// TLS speaks mqtts: TLS over the connection, verified against RootCAs (nil:
	// the system's roots) for ServerName ("": the host dialed).
	TLS        bool
	RootCAs    *x509.CertPool
	ServerName string
	// KeyLog receives the TLS secrets (the lab hub's Keys()) so the inspector
	// can decrypt the session.
	KeyLog io.Writer
	// Buffer is how many received messages wait unread on Receive; beyond it new
	// ones are dropped and counted (Dropped). Zero means DefaultBuffer.
	Buffer int
}

// Will is a last will: published by the broker when the client vanishes.
type Will struct {
	Topic   string
	Payload []byte
	QoS     byte
	Retain  bool
}

// Message is one PUBLISH the broker delivered.
type Message struct {
	Topic    string
	Payload  []byte
	QoS      byte
	Retained bool   // a retained message, sent because of a new subscription
	Dup      bool   // a redelivery
	ID       uint16 // the packet identifier (QoS 1 and 2)
	At       time.Time
}

// Client is one MQTT session over one connection. Its methods are safe for
// concurrent use; received messages arrive on Receive.
type Client struct {
	pc   paho.Client
	conn net.Conn // the tapped connection, below TLS
	conv lab.ConvID

	recv    chan Message
	done    chan struct{} // closed when the connection has ended
	mu      sync.Mutex
	ended   bool
	err     error
	dropped uint64
}

// Connect dials addr ("127.0.0.1:1883", or "127.0.0.1:8883" with TLS), sends
// CONNECT and waits for the CONNACK. A refused CONNACK's error says why.
func Connect(ctx context.Context, addr string, opts Options) (*Client, error) {
	if opts.Will != nil {
		if err := CheckTopic(opts.Will.Topic); err != nil {
			return nil, fmt.Errorf("the will's topic: %w", err)
		}
		if err := CheckQoS(opts.Will.QoS); err != nil {
			return nil, err
		}
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("mqttclient: %q is not host:port: %w", addr, err)
	}
	n := opts.Buffer
	if n <= 0 {
		n = DefaultBuffer
	}
	c := &Client{recv: make(chan Message, n), done: make(chan struct{})}

	var dialErr error
	po := paho.NewClientOptions()
	scheme := "tcp"
	if opts.TLS {
		scheme = "ssl"
	}
	po.AddBroker(scheme + "://" + addr)
	po.SetClientID(opts.ClientID)
	po.SetCleanSession(!opts.KeepSession)
	po.SetKeepAlive(opts.KeepAlive)
	po.SetProtocolVersion(4) // 3.1.1, and no second try as 3.1
	po.SetAutoReconnect(false)
	po.SetConnectRetry(false)
	po.SetResumeSubs(false)
	po.SetOrderMatters(true) // messages in the order they came; the handler never blocks the session
	if opts.Username != "" {
		po.SetUsername(opts.Username)
		po.SetPassword(opts.Password)
	}
	if w := opts.Will; w != nil {
		po.SetBinaryWill(w.Topic, w.Payload, w.QoS, w.Retain)
	}
	if dl, ok := ctx.Deadline(); ok {
		po.SetConnectTimeout(time.Until(dl))
	}
	po.SetDefaultPublishHandler(func(_ paho.Client, m paho.Message) {
		c.deliver(Message{Topic: m.Topic(), Payload: m.Payload(), QoS: m.Qos(), Retained: m.Retained(),
			Dup: m.Duplicate(), ID: m.MessageID(), At: time.Now()})
	})
	po.SetConnectionLostHandler(func(_ paho.Client, err error) {
		c.end(fmt.Errorf("mqttclient: the connection was lost: %w", err))
	})
	po.SetCustomOpenConnectionFn(func(*url.URL, paho.ClientOptions) (net.Conn, error) {
		conn, err := labdial.Dial(ctx, opts.Dialer, opts.Tap, "tcp", addr)
		if err != nil {
			dialErr = err
			return nil, err
		}
		c.conn = conn
		if cv := lab.ConnConversation(conn); cv != nil {
			c.conv = cv.ID()
		}
		if !opts.TLS {
			return conn, nil
		}
		name := opts.ServerName
		if name == "" {
			name = host
		}
		tc := tls.Client(conn, &tls.Config{ServerName: name, RootCAs: opts.RootCAs, KeyLogWriter: opts.KeyLog, MinVersion: tls.VersionTLS12})
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			dialErr = fmt.Errorf("TLS: %w", err)
			return nil, dialErr
		}
		return tc, nil
	})
	c.pc = paho.NewClient(po)
	tok := c.pc.Connect()
	if err := wait(ctx, tok); err != nil {
		if dialErr != nil {
			return nil, fmt.Errorf("mqttclient: cannot connect to %s: %w", addr, dialErr)
		}
		return nil, fmt.Errorf("mqttclient: %s refused the connection: %w", addr, err)
	}
	return c, nil
}

// wait waits for tok or ctx, whichever ends first.
func wait(ctx context.Context, tok paho.Token) error {
	select {
	case <-tok.Done():
		return tok.Error()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Conversation is the lab conversation of the connection (zero when untapped).
func (c *Client) Conversation() lab.ConvID { return c.conv }

// Receive delivers the messages the broker sends, in order; it is closed when
// the connection has ended. Messages that find Buffer unread ones waiting are
// dropped, never blocking the session: Dropped counts them.
func (c *Client) Receive() <-chan Message { return c.recv }

// Dropped is how many received messages were dropped because Receive was full.
func (c *Client) Dropped() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dropped
}

// Done is closed when the connection has ended (Disconnect, Drop, or lost).
func (c *Client) Done() <-chan struct{} { return c.done }

// Err says why the connection ended, once Done is closed: nil after
// Disconnect, ErrDropped after Drop, else what broke it.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *Client) deliver(m Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended {
		return
	}
	select {
	case c.recv <- m:
	default:
		c.dropped++
	}
}

// end records why the connection ended, the first time.
func (c *Client) end(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ended {
		return
	}
	c.ended, c.err = true, err
	close(c.recv)
	close(c.done)
}

// Subscribe subscribes to filter (lab/+/t1, lab/#) at qos and returns the QoS
// the broker granted in its SUBACK.
func (c *Client) Subscribe(ctx context.Context, filter string, qos byte) (granted byte, err error) {
	if err := CheckFilter(filter); err != nil {
		return 0, err
	}
	if err := CheckQoS(qos); err != nil {
		return 0, err
	}
	tok := c.pc.Subscribe(filter, qos, nil)
	if err := wait(ctx, tok); err != nil {
		return 0, fmt.Errorf("mqttclient: SUBSCRIBE %s: %w", filter, err)
	}
	g, ok := tok.(*paho.SubscribeToken).Result()[filter]
	if !ok {
		return 0, fmt.Errorf("mqttclient: SUBSCRIBE %s: the SUBACK granted nothing", filter)
	}
	if g == 0x80 {
		return g, fmt.Errorf("mqttclient: the broker refused the subscription to %s (SUBACK 0x80)", filter)
	}
	return g, nil
}

// Unsubscribe ends the subscriptions to filters and waits for the UNSUBACK.
func (c *Client) Unsubscribe(ctx context.Context, filters ...string) error {
	for _, f := range filters {
		if err := CheckFilter(f); err != nil {
			return err
		}
	}
	if err := wait(ctx, c.pc.Unsubscribe(filters...)); err != nil {
		return fmt.Errorf("mqttclient: UNSUBSCRIBE: %w", err)
	}
	return nil
}

// Publish sends payload to topic at qos and waits until the QoS's handshake is
// done: at once for 0, PUBACK for 1, PUBCOMP for 2. A topic with a wildcard is
// refused before anything is sent (ErrWildcardTopic).
func (c *Client) Publish(ctx context.Context, topic string, payload []byte, qos byte, retain bool) error {
	if err := CheckTopic(topic); err != nil {
		return err
	}
	if err := CheckQoS(qos); err != nil {
		return err
	}
	if err := wait(ctx, c.pc.Publish(topic, qos, retain, payload)); err != nil {
		return fmt.Errorf("mqttclient: PUBLISH %s: %w", topic, err)
	}
	return nil
}

// Disconnect ends the session cleanly: DISCONNECT, then the connection closes;
// the broker discards the will. It waits up to wait for outstanding work.
func (c *Client) Disconnect(wait time.Duration) {
	c.pc.Disconnect(uint(wait.Milliseconds()))
	c.end(nil)
}

// Drop closes the connection without DISCONNECT, as a crash or a lost network
// would: the broker publishes the will. TLS is cut too, without close_notify.
func (c *Client) Drop() {
	c.end(ErrDropped) // first: what the lost handler then reports is our own doing
	if c.conn != nil {
		c.conn.Close() // paho notices the closed socket and stops its workers
	}
}
