package p2p

import (
	"fmt"
	"strings"
)

// SDPLine is one line of an SDP description (RFC 8866) with what it means for
// a WebRTC data connection.
type SDPLine struct {
	Text    string // the line as written, without its line end
	Topic   string // what the line is about: SDPSession, SDPMedia, SDPICE, SDPCandidate, SDPDTLS or SDPSCTP
	Meaning string // plain words; never "": a line the lab does not explain says so
	Ref     string // where it is defined ("RFC 8839 §5.4"); "" for a line the lab does not explain
}

// The topics of explained lines.
const (
	SDPSession   = "session"   // the session's own lines and attributes the lab does not explain
	SDPMedia     = "media"     // the m= section and what describes it
	SDPICE       = "ice"       // ICE credentials and options (RFC 8839)
	SDPCandidate = "candidate" // ICE candidates (RFC 8839 §5.1)
	SDPDTLS      = "dtls"      // the DTLS fingerprint and role (RFC 8122, RFC 8842)
	SDPSCTP      = "sctp"      // the SCTP port and message size (RFC 8841)
)

// ExplainSDP splits an SDP offer or answer (RFC 8866) into lines, each
// explained as far as a data channel is concerned: the session lines, the m=
// section of the data channels, the ICE credentials (RFC 8839), each candidate
// (RFC 8445: host, server-reflexive, peer-reflexive, relayed), the DTLS
// fingerprint and role (RFC 8122, RFC 8842) and the SCTP port and message size
// (RFC 8841). Blank lines are dropped; every other line is kept, in order, a
// line the lab does not know said to be so. A pane shows them side by side
// with the lines.
func ExplainSDP(sdp string) []SDPLine {
	var out []SDPLine
	for _, raw := range strings.Split(sdp, "\n") {
		text := strings.TrimRight(raw, "\r")
		if strings.TrimSpace(text) == "" {
			continue
		}
		topic, meaning, ref := explainLine(text)
		out = append(out, SDPLine{Text: text, Topic: topic, Meaning: meaning, Ref: ref})
	}
	return out
}

// Candidate returns the ICE candidate a candidate line gives; false for any
// other line or a candidate the lab cannot read.
func (l SDPLine) Candidate() (ICECandidate, bool) {
	v, ok := strings.CutPrefix(l.Text, "a=candidate:")
	if !ok || l.Topic != SDPCandidate {
		return ICECandidate{}, false
	}
	return ParseCandidate(v)
}

func explainLine(line string) (topic, meaning, ref string) {
	key, value, _ := strings.Cut(line, "=")
	switch key {
	case "v":
		return SDPSession, "SDP version 0, the only one there is.", "RFC 8866 §5.1"
	case "o":
		return SDPSession, "Origin: who made the description, a session ID and its version (a new version with each change); " +
			"the address is a placeholder, WebRTC does not use it.", "RFC 8866 §5.2"
	case "s":
		return SDPSession, "Session name: none (\"-\"), WebRTC does not use it.", "RFC 8866 §5.3"
	case "t":
		return SDPSession, "Timing: \"0 0\", a session with no start or end time.", "RFC 8866 §5.9"
	case "c":
		return SDPMedia, "Connection address: a placeholder (0.0.0.0); the real addresses are the ICE candidates, which say where to send.", "RFC 8839 §4.2.1"
	case "m":
		meaning, ref := explainMedia(value)
		return SDPMedia, meaning, ref
	case "a":
		return explainAttribute(value)
	}
	return SDPSession, "A line the lab does not explain.", ""
}

func explainMedia(value string) (meaning, ref string) {
	f := strings.Fields(value)
	if len(f) >= 3 && (f[0] == "application" && strings.Contains(f[2], "SCTP") || strings.Contains(value, "webrtc-datachannel")) {
		return fmt.Sprintf("The data channels' section: application data carried as %s, SCTP over DTLS over UDP, for WebRTC data channels; "+
			"the port %s is a placeholder (ICE finds the real one).", f[2], f[1]), "RFC 8841 §4"
	}
	if len(f) >= 1 {
		return "A media section of kind " + f[0] + ": the lab's peers send no audio or video.", "RFC 8866 §5.14"
	}
	return "A media section, of no kind the lab can read.", "RFC 8866 §5.14"
}

func explainAttribute(value string) (topic, meaning, ref string) {
	name, arg, _ := strings.Cut(value, ":")
	switch name {
	case "group":
		if strings.HasPrefix(arg, "BUNDLE") {
			return SDPSession, "BUNDLE: every media section shares one transport, one UDP flow.", "RFC 9143 §7"
		}
		return SDPSession, "A group of media sections (" + arg + ").", "RFC 5888 §5"
	case "msid-semantic", "extmap-allow-mixed":
		return SDPSession, "A media-stream attribute: unused by data channels.", ""
	case "ice-ufrag":
		return SDPICE, fmt.Sprintf("ICE username fragment %q: with the other peer's, it makes the USERNAME of every STUN connectivity check.", arg), "RFC 8839 §5.4"
	case "ice-pwd":
		return SDPICE, "ICE password: the key of the MESSAGE-INTEGRITY of the checks sent to this peer, so only who read this description can make them.", "RFC 8839 §5.4"
	case "ice-options":
		return SDPICE, "ICE options: " + arg + " (\"trickle\": more candidates may follow, one by one).", "RFC 8840 §4.1"
	case "ice-lite":
		return SDPICE, "ICE lite: this peer only answers checks, it sends none.", "RFC 8839 §5.3"
	case "candidate":
		return SDPCandidate, explainCandidate(arg), "RFC 8839 §5.1"
	case "end-of-candidates":
		return SDPCandidate, "No more candidates will follow.", "RFC 8840 §4.4"
	case "fingerprint":
		hash, _, _ := strings.Cut(arg, " ")
		return SDPDTLS, fmt.Sprintf("DTLS fingerprint: the %s hash of this peer's self-signed DTLS certificate. The other peer checks the certificate "+
			"of the handshake against it, so the signalling vouches for the keys: no one on the UDP path can put itself in between unnoticed.", hash), "RFC 8122 §5"
	case "setup":
		return SDPDTLS, explainSetup(arg), "RFC 8842 §5"
	case "mid":
		return SDPMedia, "Media id " + arg + ": the section's identifier, the name BUNDLE gives it.", "RFC 9143 §7"
	case "sendrecv", "sendonly", "recvonly", "inactive":
		return SDPMedia, "Direction of media: " + name + ".", "RFC 8866 §6.7"
	case "sctp-port":
		return SDPSCTP, "SCTP port " + arg + " (5000 by custom): the SCTP association inside DTLS runs between these ports at both ends; they are not UDP ports.", "RFC 8841 §5"
	case "max-message-size":
		return SDPSCTP, "The largest message this peer accepts on a data channel: " + arg + " bytes (0: no limit).", "RFC 8841 §6"
	}
	return SDPSession, "An attribute the lab does not explain.", ""
}

func explainSetup(role string) string {
	switch role {
	case "actpass":
		return "DTLS role: either; the answer chooses (setup actpass: the offerer may be either DTLS client or server)."
	case "active":
		return "DTLS role: this peer starts the DTLS handshake (the client): it sends the ClientHello (setup active)."
	case "passive":
		return "DTLS role: this peer waits for the DTLS handshake (the server): it waits for the ClientHello (setup passive)."
	}
	return fmt.Sprintf("DTLS setup %q: a role the lab does not know (actpass, active or passive).", role)
}
