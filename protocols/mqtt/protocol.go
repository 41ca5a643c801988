package mqtt

import (
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/tls"
)

// Names and ports of MQTT and MQTT over TLS in the registry: IANA's "mqtt" on
// 1883 and "secure-mqtt" on 8883 (MQTT 3.1.1 §4.2 and §5.1).
const (
	Name        = "mqtt"
	DefaultPort = 1883
	TLSName     = "mqtts"
	TLSPort     = 8883
)

// The states of an MQTT session (MQTT 3.1.1 §3.1, §3.2, §3.14): the client's
// CONNECT begins it, the broker's CONNACK accepts or refuses it, and a
// DISCONNECT or the end of the network connection ends it.
const (
	StateConnecting   = "connecting"   // CONNECT sent, CONNACK awaited
	StateConnected    = "connected"    // CONNACK with return code 0
	StateRefused      = "refused"      // CONNACK with a non-zero return code: the broker closes the connection
	StateDisconnected = "disconnected" // DISCONNECT, or the network connection ended
)

// States are the session's states in the order a diagram draws them.
var States = []string{StateConnecting, StateConnected, StateRefused, StateDisconnected}

// Transitions are the moves the analyzer makes.
var Transitions = [][2]string{
	{"", StateConnecting},
	{StateConnecting, StateConnected},
	{StateConnecting, StateRefused},
	{StateConnected, StateDisconnected},
	{StateConnecting, StateDisconnected},
	{StateRefused, StateDisconnected},
	{"", StateDisconnected},
}

var machine = lab.NewMachine(States, Transitions)

// The kinds of exchange the analyzer marks (lab.Exchange): one QoS 1 or QoS 2
// delivery, from the PUBLISH to its last acknowledgement (MQTT 3.1.1 §4.3).
const (
	ExchangeQoS1 = "qos1"
	ExchangeQoS2 = "qos2"
)

// The states of the exchanges.
const (
	ExPublished    = "published"    // PUBLISH sent
	ExAcknowledged = "acknowledged" // QoS 1: PUBACK
	ExReceived     = "received"     // QoS 2: PUBREC
	ExReleased     = "released"     // QoS 2: PUBREL
	ExComplete     = "complete"     // QoS 2: PUBCOMP
)

// Exchanges describes the exchanges the analyzer marks, for Protocol.Exchanges.
func Exchanges() map[string]lab.ExchangeKind {
	return map[string]lab.ExchangeKind{
		ExchangeQoS1: {
			Title:       "QoS 1 delivery",
			States:      []string{ExPublished, ExAcknowledged},
			Transitions: [][2]string{{"", ExPublished}, {ExPublished, ExAcknowledged}},
		},
		ExchangeQoS2: {
			Title:  "QoS 2 delivery",
			States: []string{ExPublished, ExReceived, ExReleased, ExComplete},
			Transitions: [][2]string{
				{"", ExPublished}, {ExPublished, ExReceived}, {ExReceived, ExReleased}, {ExReleased, ExComplete},
			},
		},
	}
}

const about = "MQTT is a small publish/subscribe protocol for devices: a client connects to a broker, " +
	"subscribes to topic filters (with the wildcards + and #) and publishes messages to topics " +
	"such as lab/sensors/t1. The broker forwards each message to every matching subscriber, at " +
	"the quality of service asked for: at most once (QoS 0), at least once (QoS 1, one PUBACK) or " +
	"exactly once (QoS 2, the four-step PUBLISH, PUBREC, PUBREL, PUBCOMP)."

// Protocol describes MQTT 3.1.1 for the registry. It returns a new value on
// each call; NewServer and Settings are left nil: the app wires the broker in.
func Protocol() *lab.Protocol {
	return &lab.Protocol{
		Name:        Name,
		Title:       "MQTT broker",
		DefaultPort: DefaultPort,
		Transport:   "tcp",
		About:       about,
		States:      machine.States(),
		Transitions: machine.Transitions(),
		Exchanges:   Exchanges(),
		Layers:      []*lab.Layer{Layer()},
		NewAnalyzer: func() lab.Analyzer { return NewAnalyzer() },
		Dissector:   lab.Dissector{Name: "mqtt", Ports: []uint16{DefaultPort}},
	}
}

// TLSProtocol describes MQTT over TLS (MQTT 3.1.1 §5) for the registry: the
// lab's "mqtts", whose analyzer is the TLS layer, decrypted with the lab's key
// log, carrying MQTT whether or not ALPN named "mqtt". Wireshark's MQTT
// dissector registers itself under TLS on 8883, so the Dissector is TLS's
// there. It returns a new value on each call.
func TLSProtocol() *lab.Protocol {
	p := tls.Protocol(TLSName, "MQTT over TLS", TLSPort)
	p.Layer = tls.Layer().Name
	p.About = "MQTT inside TLS, on its own port. " + p.About
	p.Layers = []*lab.Layer{Layer()}
	p.Exchanges = Exchanges()
	p.NewAnalyzer = func() lab.Analyzer {
		a := tls.NewAnalyzer()
		a.Wrap(Name, func() lab.Analyzer { return NewAnalyzer() })
		return a
	}
	p.Dissector = lab.Dissector{Name: "tls", Ports: []uint16{TLSPort}}
	return p
}

// Layer is MQTT as a layer another carries: TLS reaches it by ALPN "mqtt"
// (IANA's ALPN registry), a WebSocket by the subprotocol "mqtt" (§6).
func Layer() *lab.Layer {
	return &lab.Layer{
		Name:      Name,
		ReachedBy: []lab.NextKey{lab.ALPN("mqtt"), lab.Subprotocol("mqtt")},
		New:       func() lab.Analyzer { return NewAnalyzer() },
	}
}
