package ui

import (
	"fmt"
	"strings"
)

// sdpLine is one line of an SDP description (RFC 8866) with what it means in
// plain words.
type sdpLine struct {
	Line    string // as written, without its line ending
	Topic   string // sdpICE, sdpCandidate, sdpDTLS, sdpSCTP, sdpMedia or sdpSession
	Meaning string
}

// The topics of explained lines.
const (
	sdpSession   = "session"
	sdpMedia     = "media"
	sdpICE       = "ice"
	sdpCandidate = "candidate"
	sdpDTLS      = "dtls"
	sdpSCTP      = "sctp"
)

// explainSDP explains a WebRTC data-channel description line by line: the
// session lines, the m= section of the data channel, the ICE credentials
// (RFC 8839), each candidate (RFC 8445: host, server-reflexive, relayed), the
// DTLS fingerprint and setup role (RFC 8122, RFC 5763) and the SCTP port and
// message size (RFC 8841). Lines it does not know are kept, said to be so.
func explainSDP(sdp string) []sdpLine {
	var out []sdpLine
	for _, raw := range strings.Split(sdp, "\n") {
		line := strings.TrimRight(raw, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		topic, meaning := explainSDPLine(line)
		out = append(out, sdpLine{Line: line, Topic: topic, Meaning: meaning})
	}
	return out
}

func explainSDPLine(line string) (topic, meaning string) {
	key, value, _ := strings.Cut(line, "=")
	switch key {
	case "v":
		return sdpSession, "SDP version 0, the only one there is (RFC 8866 §5.1)."
	case "o":
		return sdpSession, "Origin: who made the description, a session id and its version; the address is a placeholder, WebRTC does not use it."
	case "s":
		return sdpSession, "Session name: none (\"-\")."
	case "t":
		return sdpSession, "Timing: 0 0, a session with no start or end time."
	case "c":
		return sdpMedia, "Connection address: a placeholder (0.0.0.0); the real addresses are the ICE candidates."
	case "m":
		return sdpMedia, explainMedia(value)
	case "a":
		return explainAttribute(value)
	}
	return sdpSession, "A line the lab does not explain."
}

func explainMedia(value string) string {
	f := strings.Fields(value)
	if len(f) >= 4 && f[0] == "application" && strings.Contains(f[2], "SCTP") {
		return fmt.Sprintf("The data channels' section: application data, port %s is a placeholder (ICE finds the real one), "+
			"carried as %s: SCTP inside DTLS over UDP, for WebRTC data channels (RFC 8841).", f[1], f[2])
	}
	if len(f) >= 1 {
		return "A media section of kind " + f[0] + " (audio and video are not used by the lab's peers)."
	}
	return "A media section."
}

func explainAttribute(value string) (topic, meaning string) {
	name, arg, _ := strings.Cut(value, ":")
	switch name {
	case "group":
		return sdpSession, "BUNDLE: every section shares one transport, one UDP flow (RFC 9143)."
	case "msid-semantic", "extmap-allow-mixed":
		return sdpSession, "A media-stream attribute: unused by data channels."
	case "ice-ufrag":
		return sdpICE, fmt.Sprintf("ICE username fragment %q: the peer's half of the username in each STUN connectivity check (RFC 8839 §5.4).", arg)
	case "ice-pwd":
		return sdpICE, "ICE password: the key of the MESSAGE-INTEGRITY of the checks sent to this peer, so only the other peer can make them."
	case "ice-options":
		return sdpICE, "ICE options: " + arg + " (trickle: candidates may also come later, one by one)."
	case "ice-lite":
		return sdpICE, "ICE lite: this peer only answers checks, it sends none."
	case "candidate":
		return sdpCandidate, explainCandidate(arg)
	case "end-of-candidates":
		return sdpCandidate, "No more candidates will come."
	case "fingerprint":
		hash, _, _ := strings.Cut(arg, " ")
		return sdpDTLS, fmt.Sprintf("DTLS fingerprint: the %s hash of the peer's self-signed certificate. The DTLS handshake "+
			"checks it, so the signalling server cannot put itself in between unnoticed (RFC 8122).", hash)
	case "setup":
		return sdpDTLS, explainSetup(arg)
	case "mid":
		return sdpMedia, "Media id " + arg + ": the name BUNDLE gives this section."
	case "sendrecv", "sendonly", "recvonly", "inactive":
		return sdpMedia, "Direction: " + name + "."
	case "sctp-port":
		return sdpSCTP, "SCTP port " + arg + ": the SCTP association inside DTLS runs between these ports (not UDP ports) (RFC 8841 §5)."
	case "max-message-size":
		return sdpSCTP, "The largest message this peer takes on a data channel: " + arg + " bytes (0: no limit) (RFC 8841 §6)."
	}
	return sdpSession, "An attribute the lab does not explain."
}

func explainSetup(role string) string {
	switch role {
	case "actpass":
		return "DTLS setup actpass: the offerer may be either DTLS client or server; the answer chooses (RFC 5763 §5)."
	case "active":
		return "DTLS setup active: this peer is the DTLS client, it sends the ClientHello."
	case "passive":
		return "DTLS setup passive: this peer is the DTLS server, it waits for the ClientHello."
	}
	return "DTLS setup " + role + "."
}

// iceCandidate is one ICE candidate of a description.
type iceCandidate struct {
	Type, Addr, Port, Transport, Priority string
	RelAddr, RelPort                      string // srflx and relay: the address it stands for
}

// parseCandidate reads a candidate attribute's value after "candidate:"
// (RFC 8839 §5.1): foundation component transport priority address port typ
// type [raddr a rport p] ...
func parseCandidate(arg string) (iceCandidate, bool) {
	f := strings.Fields(arg)
	if len(f) < 8 || f[6] != "typ" {
		return iceCandidate{}, false
	}
	c := iceCandidate{Transport: strings.ToUpper(f[2]), Priority: f[3], Addr: f[4], Port: f[5], Type: f[7]}
	for i := 8; i+1 < len(f); i += 2 {
		switch f[i] {
		case "raddr":
			c.RelAddr = f[i+1]
		case "rport":
			c.RelPort = f[i+1]
		}
	}
	return c, true
}

func explainCandidate(arg string) string {
	c, ok := parseCandidate(arg)
	if !ok {
		return "An ICE candidate the lab cannot read."
	}
	at := fmt.Sprintf("%s %s:%s (priority %s)", c.Transport, c.Addr, c.Port, c.Priority)
	switch c.Type {
	case "host":
		return "Host candidate " + at + ": an address of the peer's own socket. The other peer sends STUN checks to it."
	case "srflx":
		return fmt.Sprintf("Server-reflexive candidate %s: the address the lab's STUN server saw the socket's question come from "+
			"(for %s:%s). Behind a NAT it is the NAT's public address; on loopback it is the host address again.", at, c.RelAddr, c.RelPort)
	case "prflx":
		return "Peer-reflexive candidate " + at + ": learnt from a check the other peer sent."
	case "relay":
		return "Relayed candidate " + at + ": an address on a TURN server, which would carry the data (the lab has none)."
	}
	return "ICE candidate of type " + c.Type + " " + at + "."
}

// sdpCandidates lists the candidates of an explained description, one line
// each ("host 127.0.0.1:5000").
func sdpCandidates(lines []sdpLine) []string {
	var out []string
	for _, l := range lines {
		if l.Topic != sdpCandidate {
			continue
		}
		if c, ok := parseCandidate(strings.TrimPrefix(l.Line, "a=candidate:")); ok {
			out = append(out, c.Type+" "+c.Addr+":"+c.Port)
		}
	}
	return out
}
