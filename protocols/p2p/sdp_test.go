package p2p

import (
	"strings"
	"testing"
)

const offer = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=fingerprint:sha-256 AB:CD\r\na=group:BUNDLE 0\r\n" +
	"m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=setup:actpass\r\na=mid:0\r\n" +
	"a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdef012345\r\na=sctp-port:5000\r\n" +
	"a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host\r\n" +
	"a=candidate:2 1 udp 1694498815 127.0.0.1 50000 typ srflx raddr 127.0.0.1 rport 50000\r\n" +
	"a=end-of-candidates\r\na=x-unknown\r\n"

func TestExplainSDP(t *testing.T) {
	lines := ExplainSDP(offer)
	if len(lines) != 17 {
		t.Fatalf("%d lines, want 17", len(lines))
	}
	for _, tt := range []struct{ line, want string }{
		{"a=ice-pwd:", "MESSAGE-INTEGRITY"},
		{"a=fingerprint:", "DTLS certificate"},
		{"a=setup:actpass", "either; the answer chooses"},
		{"a=sctp-port:", "SCTP port"},
		{"m=application", "SCTP over DTLS over UDP"},
		{"a=candidate:1 ", "UDP 127.0.0.1:50000, the peer's own address"},
		{"a=candidate:2 ", "server-reflexive"},
		{"a=candidate:2 ", "Its base on the peer: 127.0.0.1:50000."},
	} {
		found := false
		for _, l := range lines {
			if strings.HasPrefix(l.Text, tt.line) && strings.Contains(l.Meaning, tt.want) && l.Ref != "" {
				found = true
			}
		}
		if !found {
			t.Errorf("no line %q explained with %q", tt.line, tt.want)
		}
	}
	if last := lines[len(lines)-1]; !strings.Contains(last.Meaning, "does not explain") || last.Ref != "" {
		t.Errorf("an unknown attribute explained as %q (%s), want one the lab does not explain", last.Meaning, last.Ref)
	}
	if u, p := ICECredentials(offer); u != "abcd" || p != "0123456789abcdef012345" {
		t.Errorf("ICECredentials = %q, %q", u, p)
	}
}

func FuzzExplainSDP(f *testing.F) {
	f.Add(offer)
	f.Add("a=candidate:1 1 udp 1 h p typ srflx raddr")
	f.Add(pionOffer)
	f.Add("m=\na=setup:\r\n\r\na=candidate:x y z w v u typ")
	f.Fuzz(func(t *testing.T, sdp string) {
		for _, l := range ExplainSDP(sdp) {
			if strings.Contains(l.Text, "\n") {
				t.Errorf("a line with a line end: %q", l.Text)
			}
			if l.Meaning == "" || l.Topic == "" {
				t.Errorf("line %q: meaning %q topic %q, want both", l.Text, l.Meaning, l.Topic)
			}
			if c, ok := l.Candidate(); ok && (c.Type == "" || l.Topic != SDPCandidate) {
				t.Errorf("line %q: candidate %+v under topic %q", l.Text, c, l.Topic)
			}
		}
	})
}
