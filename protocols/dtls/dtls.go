// Package dtls is what the lab knows about DTLS 1.2 (RFC 6347) as WebRTC uses it
// (RFC 8827, RFC 8261): an analyzer that frames each datagram into its records
// (content type, version, epoch, sequence number, length) and the handshake
// messages of the first flights in clear — ClientHello with its cipher suites and
// extensions (use_srtp, extended_master_secret, ...), HelloVerifyRequest with its
// cookie, ServerHello, Certificate with the SHA-256 fingerprint the SDP's
// a=fingerprint names, ServerKeyExchange, CertificateRequest, ServerHelloDone,
// ClientKeyExchange, CertificateVerify, ChangeCipherSpec — and follows the
// association's state.
//
// Records after ChangeCipherSpec are encrypted. When the lab holds the master
// secret (the lab's peers write it to the hub's key log, lab.KeyLog, by the
// ClientHello's random, as pion's dtls.Config.KeyLogWriter does), the analyzer
// decrypts the AEAD suites with protocols/tls's key derivation (tls.Keys12) and
// hands the application data to the inner analyzer the carrier gave it
// (lab.Wrapper: SCTP in a WebRTC flow); otherwise it marks the records as
// encrypted handshake or application data.
//
// A handshake message sent in fragments is shown piece by piece and then whole,
// put together (RFC 6347 §4.2.3); a piece sent again is marked as retransmitted
// (§4.2.4).
//
// Left out: DTLS 1.0 and 1.3, the CBC suites, renegotiation, and a second
// handshake on the same flow (its messages would be marked as retransmitted).
package dtls

import "github.com/protocollab/protolab/lab"

// Name is the layer's name.
const Name = "dtls"

// The association's states.
const (
	StateNew         = "new"
	StateHello       = "hello"
	StateCookie      = "cookie"
	StateNegotiating = "negotiating"
	StateFinishing   = "finishing"
	StateEstablished = "established"
	StateClosed      = "closed"
)

// States are the association's states, in diagram order.
var States = []string{StateNew, StateHello, StateCookie, StateNegotiating, StateFinishing, StateEstablished, StateClosed}

// Transitions are the moves between States.
var Transitions = [][2]string{
	{"", StateNew},
	{StateNew, StateHello},
	{StateHello, StateCookie},
	{StateCookie, StateHello},
	{StateHello, StateNegotiating},
	{StateNegotiating, StateFinishing},
	{StateFinishing, StateEstablished},
	{StateEstablished, StateClosed},
	{StateNew, StateClosed},
	{StateHello, StateClosed},
	{StateCookie, StateClosed},
	{StateNegotiating, StateClosed},
	{StateFinishing, StateClosed},
}

var machine = lab.NewMachine(States, Transitions)

// Layer is DTLS as one protocol of a flow that carries several, reached by the
// first bytes 20–63 (RFC 7983 §7). inner, when not nil, makes the analyzer of
// what the application data carries (SCTP in WebRTC), whose messages are
// innerName's.
func Layer(innerName string, inner func() lab.Analyzer) *lab.Layer {
	return &lab.Layer{Name: Name, ReachedBy: []lab.NextKey{lab.FirstByte(20, 63)}, New: func() lab.Analyzer {
		a := NewAnalyzer()
		if inner != nil {
			a.Wrap(innerName, inner)
		}
		return a
	}, States: machine.States(), Transitions: machine.Transitions()}
}
