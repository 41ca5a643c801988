package p2p

import (
	"fmt"
	"strings"
)

// SDPLine is one line of an SDP description with what it means for a
// WebRTC data connection.
type SDPLine struct {
	Text    string // the line as written, without its line end
	Meaning string // plain words; "" for a line the lab does not explain
	Ref     string // where it is defined ("RFC 8839 §5.4")
}

// ExplainSDP splits an SDP offer or answer (RFC 8866) into lines, each
// explained as far as a data channel is concerned: the ICE credentials and
// candidates, the DTLS fingerprint and role, the SCTP port. A pane shows
// them side by side with the lines.
func ExplainSDP(sdp string) []SDPLine {
	var out []SDPLine
	for _, text := range strings.Split(strings.ReplaceAll(sdp, "\r\n", "\n"), "\n") {
		if text == "" {
			continue
		}
		meaning, ref := explainLine(text)
		out = append(out, SDPLine{Text: text, Meaning: meaning, Ref: ref})
	}
	return out
}

func explainLine(line string) (meaning, ref string) {
	key, value, _ := strings.Cut(line, "=")
	if key != "a" {
		switch key {
		case "v":
			return "SDP version: always 0.", "RFC 8866 §5.1"
		case "o":
			return "Origin: who made the description and its session ID and version (a new version with each change).", "RFC 8866 §5.2"
		case "s":
			return "Session name: unused by WebRTC (\"-\").", "RFC 8866 §5.3"
		case "t":
			return "Timing: \"0 0\", a session without start or end.", "RFC 8866 §5.9"
		case "c":
			return "Connection address: a placeholder (0.0.0.0); ICE's candidates say where to send.", "RFC 8839 §4.2.1"
		case "m":
			if strings.Contains(value, "webrtc-datachannel") {
				return "A media section for data channels: SCTP over DTLS over UDP (the port 9 is a placeholder).", "RFC 8841 §4"
			}
			return "A media section (" + strings.Fields(value + " ?")[0] + "): the lab's peers send no media.", "RFC 8866 §5.14"
		}
		return "", ""
	}
	name, arg, _ := strings.Cut(value, ":")
	switch name {
	case "ice-ufrag":
		return "ICE username fragment: with the other peer's, it makes the USERNAME of every connectivity check (STUN).", "RFC 8839 §5.4"
	case "ice-pwd":
		return "ICE password: the key of MESSAGE-INTEGRITY in the checks sent to this peer, so only who read this description can pass them.", "RFC 8839 §5.4"
	case "ice-options":
		return "ICE options: \"trickle\" says more candidates may follow, one by one.", "RFC 8840 §4.1"
	case "fingerprint":
		return "The hash of this peer's DTLS certificate: the other peer checks the certificate of the handshake against it, so the signalling vouches for the keys.", "RFC 8122 §5"
	case "setup":
		roles := map[string]string{"actpass": "either; the answer chooses", "active": "this peer starts the DTLS handshake (the client)", "passive": "this peer waits for the DTLS handshake (the server)"}
		return "DTLS role: " + roles[arg] + ".", "RFC 8842 §5"
	case "mid":
		return "The media section's identifier, which BUNDLE refers to.", "RFC 9143 §7"
	case "group":
		return "BUNDLE: every media section shares one transport, one UDP flow.", "RFC 9143 §7"
	case "sctp-port":
		return "The SCTP port inside DTLS (5000 by custom): the association's port at both ends.", "RFC 8841 §5"
	case "max-message-size":
		return "The largest message this peer accepts on a data channel, in bytes.", "RFC 8841 §6"
	case "candidate":
		return explainCandidate(arg), "RFC 8839 §5.1"
	case "end-of-candidates":
		return "No more candidates will follow.", "RFC 8840 §4.4"
	case "sendrecv", "sendonly", "recvonly", "inactive":
		return "Direction of media: " + name + ".", "RFC 8866 §6.7"
	}
	return "", ""
}

// explainCandidate explains a candidate's value: "1 1 udp 2130706431
// 127.0.0.1 50000 typ host".
func explainCandidate(v string) string {
	f := strings.Fields(v)
	if len(f) < 8 || f[6] != "typ" {
		return "A candidate the lab cannot read."
	}
	addr := f[4] + ":" + f[5]
	kinds := map[string]string{
		"host":  "the peer's own address",
		"srflx": "server-reflexive: the address a STUN server saw the peer's packets come from (a NAT's outside)",
		"prflx": "peer-reflexive: an address learned from a connectivity check",
		"relay": "relayed: an address on a TURN server, which would carry the data",
	}
	kind := kinds[f[7]]
	if kind == "" {
		kind = f[7]
	}
	s := fmt.Sprintf("A candidate: %s %s, %s; priority %s (higher is tried first).", strings.ToUpper(f[2]), addr, kind, f[3])
	for i := 8; i+1 < len(f); i += 2 {
		if f[i] == "raddr" {
			s += " Its base on the peer: " + f[i+1]
			if i+3 < len(f) && f[i+2] == "rport" {
				s += ":" + f[i+3]
			}
			s += "."
		}
	}
	return s
}
