// Package webrtc is what the lab knows about the UDP flow between two WebRTC
// peers (RFC 8825): one flow carries several protocols, told apart by each
// datagram's first byte (RFC 7983 §7) through the lab's next-layer table — STUN
// for ICE's connectivity checks (protocols/stun, 0–3), DTLS (protocols/dtls,
// 20–63) carrying SCTP and the data channels (protocols/sctp), and RTP or RTCP
// media (128–191, shown as such and not decoded: the lab's peers send no media).
//
// What the lab's peers must do for the flow to show whole: tap their one UDP
// socket (lab.Tap.PacketConn, given to pion through an ice.UDPMux in the
// SettingEngine), write their DTLS master secrets to the hub's key log
// (SettingEngine.SetDTLSKeyLogWriter(hub.Keys())) and their ICE passwords too
// (stun.KeyLogLine, from the SDP's a=ice-ufrag and a=ice-pwd) before their
// description leaves them. The tests do all three with two pion peers.
package webrtc

import (
	"fmt"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/dtls"
	"github.com/protocollab/protolab/protocols/sctp"
	"github.com/protocollab/protolab/protocols/stun"
)

// Name is the protocol's name in the registry.
const Name = "webrtc"

// Protocol describes a WebRTC peer flow for the registry. It returns a new
// value on each call. NewServer is left nil: the app wires the peers in.
func Protocol() *lab.Protocol {
	return &lab.Protocol{
		Name:           Name,
		Title:          "WebRTC peer flow",
		Transport:      "udp",
		Connectionless: true,
		About: "Two WebRTC peers talk over one UDP flow that carries several protocols, told apart by the first byte " +
			"of each datagram (RFC 7983): STUN checks that the path works (ICE), DTLS agrees on keys and encrypts, " +
			"and inside DTLS, SCTP carries the data channels.",
		NewAnalyzer: func() lab.Analyzer { return lab.NewDemux() },
		Layers:      Layers(),
		Dissector:   lab.Dissector{Name: "stun"},
	}
}

// Layers are the layers of a peer flow: STUN, DTLS carrying SCTP, and RTP.
// SCTP is listed, reached by no key, for its state machine.
func Layers() []*lab.Layer {
	inner := sctp.Layer()
	return []*lab.Layer{
		stun.Layer(),
		dtls.Layer(inner.Name, inner.New),
		inner,
		{Name: "rtp", ReachedBy: []lab.NextKey{lab.FirstByte(128, 191)}, New: func() lab.Analyzer { return rtpAnalyzer{} }},
	}
}

// rtpAnalyzer shows RTP and RTCP datagrams as such, without decoding them.
type rtpAnalyzer struct{}

func (rtpAnalyzer) State() string { return "" }

func (rtpAnalyzer) Feed(dir lab.Dir, b []byte, at time.Time) []lab.Message {
	kind, ref := "RTP", "RFC 3550 §5.1"
	if len(b) > 1 && b[1] >= 192 && b[1] <= 223 { // RTCP packet types 192–223 (RFC 5761 §4)
		kind, ref = "RTCP", "RFC 3550 §6"
	}
	return []lab.Message{{Dir: dir, Raw: b, Observed: true, Ref: ref,
		Summary: fmt.Sprintf("%s packet (%d bytes, SRTP-protected, not decoded)", kind, len(b)),
		Meaning: "Media (" + kind + ") on the same flow as the data: protected with SRTP keys from the DTLS handshake (RFC 5764). The lab shows it, without decoding it."}}
}
