package ui

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

var sdpExplainTests = []struct {
	line, topic string
	words       []string // the meaning says each
}{
	{"v=0", sdpSession, []string{"version 0"}},
	{"a=fingerprint:sha-256 0F:74:31:25:CB:A2:13:EC:28:6F:6D:2C:61:FF:5D:C2:BC:B9:DB:3D:98:14:8D:1A:BB:EA:33:0C:A4:60:A8:8E", sdpDTLS, []string{"sha-256", "certificate"}},
	{"m=application 9 UDP/DTLS/SCTP webrtc-datachannel", sdpMedia, []string{"data channels", "SCTP inside DTLS over UDP"}},
	{"a=setup:actpass", sdpDTLS, []string{"actpass", "either DTLS client or server"}},
	{"a=sctp-port:5000", sdpSCTP, []string{"SCTP port 5000"}},
	{"a=max-message-size:1073741823", sdpSCTP, []string{"1073741823 bytes"}},
	{"a=ice-ufrag:kbYyQwWrJmHmXaNg", sdpICE, []string{`"kbYyQwWrJmHmXaNg"`, "username"}},
	{"a=ice-pwd:ycMPkcTaxhUXBYwWYAYwiQmSTjmqdKoY", sdpICE, []string{"password", "MESSAGE-INTEGRITY"}},
	{"a=candidate:3525731474 1 udp 2130706431 127.0.0.1 40001 typ host", sdpCandidate, []string{"Host candidate", "UDP 127.0.0.1:40001", "2130706431"}},
	{"a=candidate:1470310590 1 udp 1694498815 127.0.0.1 40001 typ srflx raddr 127.0.0.1 rport 40001", sdpCandidate, []string{"Server-reflexive", "STUN server", "for 127.0.0.1:40001"}},
	{"a=x-something-new", sdpSession, []string{"does not explain"}},
}

// TestExplainSDP: every line of a lab peer's offer is kept, in order, and the
// ones that matter are explained in their topic's words.
func TestExplainSDP(t *testing.T) {
	got := explainSDP(pionOffer)
	want := strings.Split(strings.TrimSuffix(pionOffer, "\r\n"), "\r\n")
	if len(got) != len(want) {
		t.Fatalf("%d lines explained, want %d", len(got), len(want))
	}
	for i, l := range got {
		if l.Line != want[i] || l.Meaning == "" {
			t.Errorf("line %d = %q with meaning %q, want %q with a meaning", i, l.Line, l.Meaning, want[i])
		}
	}
	for _, tt := range sdpExplainTests {
		i := slices.IndexFunc(got, func(l sdpLine) bool { return l.Line == tt.line })
		if i < 0 {
			t.Errorf("%q not in the explanation", tt.line)
			continue
		}
		if got[i].Topic != tt.topic {
			t.Errorf("%q: topic %q, want %q", tt.line, got[i].Topic, tt.topic)
		}
		for _, w := range tt.words {
			if !strings.Contains(got[i].Meaning, w) {
				t.Errorf("%q: meaning %q does not say %q", tt.line, got[i].Meaning, w)
			}
		}
	}
}

func TestSDPCandidates(t *testing.T) {
	got := sdpCandidates(explainSDP(pionOffer))
	want := []string{"host 127.0.0.1:40001", "srflx 127.0.0.1:40001"}
	if !slices.Equal(got, want) {
		t.Errorf("candidates = %q, want %q", got, want)
	}
}

// TestExplainSDPBadInput: lines the explainer cannot read are kept with a
// meaning that says so, never dropped or a panic.
func TestExplainSDPBadInput(t *testing.T) {
	for _, in := range []string{"", "\r\n\r\n", "garbage", "a=candidate:1 1 udp", "a=candidate:x y z w v u typ", "m=", "a=setup:"} {
		got := explainSDP(in)
		for _, l := range got {
			if l.Meaning == "" {
				t.Errorf("explainSDP(%q): line %q has no meaning", in, l.Line)
			}
		}
		if c := sdpCandidates(got); len(c) != 0 {
			t.Errorf("explainSDP(%q): candidates %q, want none", in, c)
		}
	}
	if l := explainSDP("a=candidate:1 1 udp"); len(l) != 1 || !strings.Contains(l[0].Meaning, "cannot read") {
		t.Errorf("a short candidate: %+v, want one line the lab cannot read", l)
	}
}

func FuzzExplainSDP(f *testing.F) {
	f.Add(pionOffer)
	f.Fuzz(func(t *testing.T, sdp string) {
		for _, l := range explainSDP(sdp) {
			if l.Meaning == "" || l.Topic == "" {
				t.Fatalf("line %q: meaning %q topic %q", l.Line, l.Meaning, l.Topic)
			}
		}
	})
}
