package tls

import (
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/h2"
	httpproto "github.com/protocollab/protolab/protocols/http"
)

// The states of one TLS connection. The handshake runs client-hello →
// server-hello, then for TLS 1.3 encrypted-handshake (everything after the
// ServerHello is encrypted) and for TLS 1.2 key-exchange (certificates and key
// exchange in the clear, then ChangeCipherSpec and the encrypted Finished), until
// both Finished messages made it established. A HelloRetryRequest sends the client
// back for a second ClientHello. A close_notify alert begins closing; the end of
// the TCP connection, or a fatal alert, makes it closed.
const (
	StateClientHello        = "client-hello"        // the client has offered its versions, suites and key shares
	StateHelloRetry         = "hello-retry"         // TLS 1.3: the server asked for another key share (HelloRetryRequest)
	StateServerHello        = "server-hello"        // the server has chosen version and suite
	StateEncryptedHandshake = "encrypted-handshake" // TLS 1.3: the rest of the handshake runs encrypted
	StateKeyExchange        = "key-exchange"        // TLS 1.2: certificate, key exchange, ChangeCipherSpec, Finished
	StateEstablished        = "established"         // both Finished messages sent: application data flows
	StateClosing            = "closing"             // a close_notify alert or one side's FIN: the connection is ending
	StateClosed             = "closed"              // over: both ends closed, a reset, or a fatal alert
)

// States lists the states of a TLS connection in the order a diagram draws them
// (before the ClientHello the state is "").
var States = []string{
	StateClientHello, StateHelloRetry, StateServerHello, StateEncryptedHandshake,
	StateKeyExchange, StateEstablished, StateClosing, StateClosed,
}

// Transitions lists every state change the analyzer makes: the handshake's path
// for TLS 1.3 and TLS 1.2, and from any state the way out, by close_notify or a
// FIN (closing) or by a fatal alert or the connection's end (closed).
var Transitions = func() [][2]string {
	t := [][2]string{
		{"", StateClientHello},
		{StateClientHello, StateServerHello},
		{StateClientHello, StateHelloRetry},
		{StateHelloRetry, StateClientHello},
		{StateServerHello, StateEncryptedHandshake},
		{StateServerHello, StateKeyExchange},
		{StateEncryptedHandshake, StateEstablished},
		{StateKeyExchange, StateEstablished},
	}
	for _, s := range append([]string{""}, States[:len(States)-2]...) {
		t = append(t, [2]string{s, StateClosing}, [2]string{s, StateClosed})
	}
	return append(t, [2]string{StateClosing, StateClosed})
}()

// machine is the connection's state machine, which each analyzer copies.
var machine = lab.NewMachine(States, Transitions)

// Protocol describes TLS carrying another protocol for the registry: name is the
// TLS layer's protocol in the lab, and the application data inside goes to the
// layer the registry's table has for the negotiated ALPN protocol (see
// NewAnalyzer); HTTPSProtocol is the lab's "https". NewServer is left nil: the
// app wires the server in. Its Transport is TCP, so the lab shows TCP's
// handshake and teardown beneath it.
func Protocol(name, title string, port int) *lab.Protocol {
	return &lab.Protocol{
		Name:        name,
		Title:       title,
		DefaultPort: port,
		Transport:   "tcp",
		About: "TLS wraps a TCP connection in encryption. In the handshake the client offers " +
			"versions, cipher suites and key shares, the server chooses and proves who it is with " +
			"its certificate, and both derive keys; then every record is encrypted. The lab holds " +
			"its own endpoints' secrets (a key log, as Wireshark uses), so it can show what is inside.",
		States:      machine.States(),
		Transitions: machine.Transitions(),
		NewAnalyzer: func() lab.Analyzer { return NewAnalyzer() },
		Dissector:   lab.Dissector{Name: "tls", Ports: []uint16{443}},
	}
}

// HTTPSProtocol describes HTTP over TLS (RFC 9110 §4.2.2) for the registry: the
// lab's "https", whose analyzer is the TLS layer, "tls", carrying HTTP/2 when
// ALPN agreed on "h2" (RFC 9113 §3.2) and HTTP/1.x otherwise, with its WebSocket
// upgrades (wss://). It returns a new value on each call.
func HTTPSProtocol() *lab.Protocol {
	p := Protocol("https", "HTTPS", 8443)
	p.Layer = Layer().Name
	p.Layers = []*lab.Layer{httpproto.Layer(), h2.Layer()}
	return p
}

// Layer is TLS as a layer another hands its connection to: reached by a STARTTLS
// go-ahead (SMTP's and IMAP's STARTTLS, POP3's STLS, FTP's AUTH TLS), it carries
// the protocol that asked for it on (lab.Wrapper).
func Layer() *lab.Layer {
	return &lab.Layer{Name: "tls", ReachedBy: []lab.NextKey{lab.StartTLS()}, New: func() lab.Analyzer { return NewAnalyzer() }}
}
