package p2p

import (
	"fmt"
	"net"
	"strings"
)

// ICECandidate is one ICE candidate as a candidate attribute writes it
// (RFC 8839 §5.1), its fields as written.
type ICECandidate struct {
	Foundation string
	Component  string // 1: RTP, or the one transport of a data connection
	Transport  string // in upper case: "UDP", "TCP"
	Priority   string // higher is tried first (RFC 8445 §5.1.2)
	Addr, Port string
	Type       string // host, srflx, prflx or relay
	// RelAddr and RelPort, for a srflx, prflx or relay candidate: the
	// address on the peer it stands for ("" when not given).
	RelAddr, RelPort string
}

// Address is the candidate's address and port, "127.0.0.1:5000".
func (c ICECandidate) Address() string { return net.JoinHostPort(c.Addr, c.Port) }

// ParseCandidate reads a candidate attribute's value, with or without its
// "candidate:" prefix (a signalling message's Candidate has it, an SDP
// a=candidate line's value after the colon does not): foundation component
// transport priority address port typ type [raddr a] [rport p] and
// extensions. It reports false for a value too short to be one.
func ParseCandidate(v string) (ICECandidate, bool) {
	f := strings.Fields(strings.TrimPrefix(v, "candidate:"))
	if len(f) < 8 || f[6] != "typ" {
		return ICECandidate{}, false
	}
	c := ICECandidate{Foundation: f[0], Component: f[1], Transport: strings.ToUpper(f[2]), Priority: f[3], Addr: f[4], Port: f[5], Type: f[7]}
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

// candidateKinds says what each type of candidate is.
var candidateKinds = map[string]string{
	"host": "the peer's own address: a socket of its own, to which the other peer sends STUN checks",
	"srflx": "server-reflexive: the address a STUN server (the lab's) saw the peer's packets come from; " +
		"behind a NAT it is the NAT's outside, on loopback the host address again",
	"prflx": "peer-reflexive: an address learned from a connectivity check the other peer sent",
	"relay": "relayed: an address on a TURN server, which would carry the data (the lab has none)",
}

// explainCandidate explains a candidate's value: "1 1 udp 2130706431
// 127.0.0.1 50000 typ host".
func explainCandidate(v string) string {
	c, ok := ParseCandidate(v)
	if !ok {
		return "An ICE candidate the lab cannot read."
	}
	kind := candidateKinds[c.Type]
	if kind == "" {
		kind = "of type " + c.Type + ", which the lab does not know"
	}
	s := fmt.Sprintf("A candidate: %s %s, %s; priority %s (higher is tried first).", c.Transport, c.Address(), kind, c.Priority)
	if c.RelAddr != "" {
		base := c.RelAddr
		if c.RelPort != "" {
			base = net.JoinHostPort(c.RelAddr, c.RelPort)
		}
		s += " Its base on the peer: " + base + "."
	}
	return s
}
