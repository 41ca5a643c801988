package p2p

import (
	"slices"
	"strings"
	"testing"
)

// pionOffer is an offer as a lab peer makes it: pion's, with the
// server-reflexive candidate added.
const pionOffer = "v=0\r\n" +
	"o=- 4215775240449105457 1733400000 IN IP4 0.0.0.0\r\n" +
	"s=-\r\n" +
	"t=0 0\r\n" +
	"a=msid-semantic:WMS*\r\n" +
	"a=fingerprint:sha-256 0F:74:31:25:CB:A2:13:EC:28:6F:6D:2C:61:FF:5D:C2:BC:B9:DB:3D:98:14:8D:1A:BB:EA:33:0C:A4:60:A8:8E\r\n" +
	"a=extmap-allow-mixed\r\n" +
	"a=group:BUNDLE 0\r\n" +
	"m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n" +
	"c=IN IP4 0.0.0.0\r\n" +
	"a=setup:actpass\r\n" +
	"a=mid:0\r\n" +
	"a=sendrecv\r\n" +
	"a=sctp-port:5000\r\n" +
	"a=max-message-size:1073741823\r\n" +
	"a=ice-ufrag:kbYyQwWrJmHmXaNg\r\n" +
	"a=ice-pwd:ycMPkcTaxhUXBYwWYAYwiQmSTjmqdKoY\r\n" +
	"a=candidate:3525731474 1 udp 2130706431 127.0.0.1 40001 typ host\r\n" +
	"a=candidate:1470310590 1 udp 1694498815 127.0.0.1 40001 typ srflx raddr 127.0.0.1 rport 40001\r\n" +
	"a=end-of-candidates\r\n" +
	"a=x-something-new\r\n"

// sdpLineTests is every kind of line the explainer knows, and some it does
// not: the topic, the words the meaning says and the reference ("" for none).
var sdpLineTests = []struct {
	line, topic string
	words       []string
	ref         string
}{
	// The session.
	{"v=0", SDPSession, []string{"version 0"}, "RFC 8866 §5.1"},
	{"o=- 4215775240449105457 1733400000 IN IP4 0.0.0.0", SDPSession, []string{"Origin", "version", "placeholder"}, "RFC 8866 §5.2"},
	{"s=-", SDPSession, []string{"Session name"}, "RFC 8866 §5.3"},
	{"t=0 0", SDPSession, []string{"no start or end"}, "RFC 8866 §5.9"},
	{"a=group:BUNDLE 0", SDPSession, []string{"BUNDLE", "one UDP flow"}, "RFC 9143 §7"},
	{"a=group:LS 0 1", SDPSession, []string{"group of media sections (LS 0 1)"}, "RFC 5888 §5"},
	{"a=msid-semantic:WMS*", SDPSession, []string{"unused by data channels"}, ""},
	{"a=extmap-allow-mixed", SDPSession, []string{"unused by data channels"}, ""},
	// The media section.
	{"m=application 9 UDP/DTLS/SCTP webrtc-datachannel", SDPMedia, []string{"data channels", "UDP/DTLS/SCTP", "SCTP over DTLS over UDP", "port 9 is a placeholder"}, "RFC 8841 §4"},
	{"m=application 9 DTLS/SCTP 5000", SDPMedia, []string{"data channels", "DTLS/SCTP"}, "RFC 8841 §4"},
	{"m=audio 9 UDP/TLS/RTP/SAVPF 111", SDPMedia, []string{"kind audio", "no audio or video"}, "RFC 8866 §5.14"},
	{"m=", SDPMedia, []string{"A media section"}, "RFC 8866 §5.14"},
	{"c=IN IP4 0.0.0.0", SDPMedia, []string{"placeholder", "ICE candidates"}, "RFC 8839 §4.2.1"},
	{"a=mid:0", SDPMedia, []string{"Media id 0", "BUNDLE"}, "RFC 9143 §7"},
	{"a=sendrecv", SDPMedia, []string{"Direction of media: sendrecv"}, "RFC 8866 §6.7"},
	{"a=recvonly", SDPMedia, []string{"Direction of media: recvonly"}, "RFC 8866 §6.7"},
	// ICE.
	{"a=ice-ufrag:kbYyQwWrJmHmXaNg", SDPICE, []string{`"kbYyQwWrJmHmXaNg"`, "username", "USERNAME"}, "RFC 8839 §5.4"},
	{"a=ice-pwd:ycMPkcTaxhUXBYwWYAYwiQmSTjmqdKoY", SDPICE, []string{"password", "MESSAGE-INTEGRITY"}, "RFC 8839 §5.4"},
	{"a=ice-options:trickle", SDPICE, []string{"ICE options: trickle", "one by one"}, "RFC 8840 §4.1"},
	{"a=ice-lite", SDPICE, []string{"ICE lite", "only answers checks"}, "RFC 8839 §5.3"},
	// Candidates.
	{"a=candidate:3525731474 1 udp 2130706431 127.0.0.1 40001 typ host", SDPCandidate,
		[]string{"UDP 127.0.0.1:40001, the peer's own address", "STUN checks", "priority 2130706431"}, "RFC 8839 §5.1"},
	{"a=candidate:1470310590 1 udp 1694498815 127.0.0.1 40001 typ srflx raddr 127.0.0.1 rport 40001", SDPCandidate,
		[]string{"server-reflexive", "STUN server", "NAT", "Its base on the peer: 127.0.0.1:40001."}, "RFC 8839 §5.1"},
	{"a=candidate:2 1 udp 1845501695 10.0.0.2 5001 typ prflx raddr 10.0.0.1 rport 5000", SDPCandidate,
		[]string{"peer-reflexive", "10.0.0.2:5001", "Its base on the peer: 10.0.0.1:5000."}, "RFC 8839 §5.1"},
	{"a=candidate:3 1 udp 16777215 192.0.2.7 3478 typ relay raddr 198.51.100.1", SDPCandidate,
		[]string{"relayed", "TURN server", "the lab has none", "Its base on the peer: 198.51.100.1."}, "RFC 8839 §5.1"},
	{"a=candidate:4 1 tcp 1518280447 ::1 9 typ host tcptype active", SDPCandidate, []string{"TCP [::1]:9", "own address"}, "RFC 8839 §5.1"},
	{"a=candidate:5 1 udp 1 127.0.0.1 1 typ wormhole", SDPCandidate, []string{"of type wormhole", "does not know"}, "RFC 8839 §5.1"},
	{"a=candidate:1 1 udp", SDPCandidate, []string{"cannot read"}, "RFC 8839 §5.1"},
	{"a=end-of-candidates", SDPCandidate, []string{"No more candidates"}, "RFC 8840 §4.4"},
	// DTLS.
	{"a=fingerprint:sha-256 0F:74:31:25:CB:A2:13:EC:28:6F:6D:2C:61:FF:5D:C2:BC:B9:DB:3D:98:14:8D:1A:BB:EA:33:0C:A4:60:A8:8E", SDPDTLS,
		[]string{"DTLS fingerprint", "sha-256", "DTLS certificate", "signalling vouches"}, "RFC 8122 §5"},
	{"a=setup:actpass", SDPDTLS, []string{"actpass", "either DTLS client or server", "either; the answer chooses"}, "RFC 8842 §5"},
	{"a=setup:active", SDPDTLS, []string{"setup active", "the client", "sends the ClientHello"}, "RFC 8842 §5"},
	{"a=setup:passive", SDPDTLS, []string{"setup passive", "the server", "waits for the ClientHello"}, "RFC 8842 §5"},
	{"a=setup:", SDPDTLS, []string{`setup ""`, "does not know"}, "RFC 8842 §5"},
	// SCTP.
	{"a=sctp-port:5000", SDPSCTP, []string{"SCTP port 5000", "not UDP ports"}, "RFC 8841 §5"},
	{"a=max-message-size:1073741823", SDPSCTP, []string{"1073741823 bytes"}, "RFC 8841 §6"},
	// What the lab does not explain.
	{"a=x-something-new", SDPSession, []string{"attribute the lab does not explain"}, ""},
	{"garbage", SDPSession, []string{"line the lab does not explain"}, ""},
	{"b=AS:30", SDPSession, []string{"line the lab does not explain"}, ""},
}

// TestExplainSDPLine: each kind of line, alone, is explained in its topic's
// words with its reference.
func TestExplainSDPLine(t *testing.T) {
	for _, tt := range sdpLineTests {
		got := ExplainSDP(tt.line)
		if len(got) != 1 || got[0].Text != tt.line {
			t.Errorf("ExplainSDP(%q) = %+v, want the one line", tt.line, got)
			continue
		}
		l := got[0]
		if l.Topic != tt.topic {
			t.Errorf("%q: topic %q, want %q", tt.line, l.Topic, tt.topic)
		}
		for _, w := range tt.words {
			if !strings.Contains(l.Meaning, w) {
				t.Errorf("%q: meaning %q does not say %q", tt.line, l.Meaning, w)
			}
		}
		if l.Ref != tt.ref {
			t.Errorf("%q: ref %q, want %q", tt.line, l.Ref, tt.ref)
		}
	}
}

// TestExplainPionOffer: every line of a lab peer's offer is kept, in order,
// each with a meaning, and explained as it is alone.
func TestExplainPionOffer(t *testing.T) {
	got := ExplainSDP(pionOffer)
	want := strings.Split(strings.TrimSuffix(pionOffer, "\r\n"), "\r\n")
	if len(got) != len(want) {
		t.Fatalf("%d lines explained, want %d", len(got), len(want))
	}
	for i, l := range got {
		if l.Text != want[i] || l.Meaning == "" || l.Topic == "" {
			t.Errorf("line %d = %+v, want %q with a topic and a meaning", i, l, want[i])
		}
		if alone := ExplainSDP(want[i]); len(alone) != 1 || alone[0] != l {
			t.Errorf("line %d explained as %+v in the offer, %+v alone", i, l, alone)
		}
	}
	var cands []string
	for _, l := range got {
		if c, ok := l.Candidate(); ok {
			cands = append(cands, c.Type+" "+c.Address())
		}
	}
	if want := []string{"host 127.0.0.1:40001", "srflx 127.0.0.1:40001"}; !slices.Equal(cands, want) {
		t.Errorf("candidates = %q, want %q", cands, want)
	}
}

// TestExplainSDPBadInput: lines the explainer cannot read are kept with a
// meaning that says so, never dropped, never a candidate, never a panic.
func TestExplainSDPBadInput(t *testing.T) {
	for _, in := range []string{"", "\r\n\r\n", " \n\t\r\n", "garbage", "a=candidate:1 1 udp", "a=candidate:x y z w v u typ", "m=", "a=setup:", "=", "a=", "a=:"} {
		got := ExplainSDP(in)
		want := 0
		for _, line := range strings.Split(in, "\n") {
			if strings.TrimSpace(line) != "" {
				want++
			}
		}
		if len(got) != want {
			t.Errorf("ExplainSDP(%q): %d lines, want %d", in, len(got), want)
		}
		for _, l := range got {
			if l.Meaning == "" || l.Topic == "" {
				t.Errorf("ExplainSDP(%q): line %q has meaning %q, topic %q", in, l.Text, l.Meaning, l.Topic)
			}
			if c, ok := l.Candidate(); ok {
				t.Errorf("ExplainSDP(%q): candidate %+v, want none", in, c)
			}
		}
	}
}

var parseCandidateTests = []struct {
	in   string
	want ICECandidate
	ok   bool
}{
	{"1 1 udp 2130706431 127.0.0.1 50000 typ host", ICECandidate{Foundation: "1", Component: "1", Transport: "UDP", Priority: "2130706431", Addr: "127.0.0.1", Port: "50000", Type: "host"}, true},
	{"candidate:2 1 UDP 1694498815 203.0.113.9 61000 typ srflx raddr 10.0.0.1 rport 50000 generation 0",
		ICECandidate{Foundation: "2", Component: "1", Transport: "UDP", Priority: "1694498815", Addr: "203.0.113.9", Port: "61000", Type: "srflx", RelAddr: "10.0.0.1", RelPort: "50000"}, true},
	{"3 1 tcp 1 ::1 9 typ host tcptype passive rport 7", ICECandidate{Foundation: "3", Component: "1", Transport: "TCP", Priority: "1", Addr: "::1", Port: "9", Type: "host", RelPort: "7"}, true},
	{"1 1 udp 1 h p typ srflx raddr", ICECandidate{Foundation: "1", Component: "1", Transport: "UDP", Priority: "1", Addr: "h", Port: "p", Type: "srflx"}, true},
	{"1 1 udp 1 127.0.0.1 5000 type host", ICECandidate{}, false},
	{"1 1 udp 1 127.0.0.1 5000 typ", ICECandidate{}, false},
	{"", ICECandidate{}, false},
}

func TestParseCandidate(t *testing.T) {
	for _, tt := range parseCandidateTests {
		got, ok := ParseCandidate(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseCandidate(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	if got := (ICECandidate{Addr: "::1", Port: "9"}).Address(); got != "[::1]:9" {
		t.Errorf("Address = %q, want [::1]:9", got)
	}
}
