package mqtt

import (
	"slices"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

var (
	connected = []step{{c2s, connect("x")}, {s2c, pkt(0x20, "\x00\x00")}}
	ping      = step{c2s, pkt(0xc0, "")}
)

// malformedTests are packets that break MQTT 3.1.1, each after a connected
// session and followed by a PINGREQ: the bad one must be named, and the
// PINGREQ framed after it (except after a remaining length that cannot be).
var malformedTests = []struct {
	name    string
	bad     step
	summary string
	then    bool // the PINGREQ after it is framed
}{
	{"remaining length of 5 bytes", step{c2s, "\x30\xff\xff\xff\xff\x01"},
		"malformed: a remaining length of more than 4 bytes (ff ff ff ff)", false},
	{"wildcard + in a PUBLISH topic", step{c2s, pkt(0x30, str("lab/+/t1")+"hi")},
		`malformed PUBLISH: a wildcard in the topic name "lab/+/t1"`, true},
	{"wildcard # in a PUBLISH topic", step{s2c, pkt(0x30, str("lab/#")+"hi")},
		`malformed PUBLISH: a wildcard in the topic name "lab/#"`, true},
	{"packet type 0", step{c2s, pkt(0x00, "abc")}, "malformed: packet type 0 is reserved", true},
	{"packet type 15", step{s2c, pkt(0xf0, "")}, "malformed: packet type 15 is reserved", true},
	{"second CONNECT", step{c2s, connect("y")}, "malformed CONNECT: a second CONNECT on one connection", true},
	{"SUBSCRIBE flags 0000", step{c2s, pkt(0x80, "\x00\x01"+str("a")+"\x00")},
		"malformed SUBSCRIBE: flags 0000, where SUBSCRIBE has 0010", true},
	{"PUBREL flags 0000", step{c2s, pkt(0x60, "\x00\x01")}, "malformed PUBREL: flags 0000, where PUBREL has 0010", true},
	{"PINGREQ flags 0001", step{c2s, pkt(0xc1, "")}, "malformed PINGREQ: flags 0001, where PINGREQ has 0000", true},
	{"PUBLISH QoS 3", step{c2s, pkt(0x36, str("a")+"\x00\x01")}, "malformed PUBLISH: QoS 3", true},
	{"DUP at QoS 0", step{c2s, pkt(0x38, str("a"))}, "malformed PUBLISH: DUP set on a QoS 0 message", true},
	{"packet identifier 0", step{c2s, pkt(0x32, str("a")+"\x00\x00")}, "malformed PUBLISH: packet identifier 0", true},
	{"empty topic", step{c2s, pkt(0x30, str("")+"x")}, "malformed PUBLISH: an empty topic name", true},
	{"topic longer than the packet", step{c2s, pkt(0x30, "\x00\x09abc")},
		"malformed PUBLISH: the remaining length ends before its topic name", true},
	{"PUBACK without its identifier", step{s2c, pkt(0x40, "\x00")},
		"malformed PUBACK: the remaining length ends before its packet identifier", true},
	{"PUBACK with extra bytes", step{s2c, pkt(0x40, "\x00\x01\x02")}, "malformed PUBACK: 1 bytes after its last field", true},
	{"SUBSCRIBE without a filter", step{c2s, pkt(0x82, "\x00\x01")}, "malformed SUBSCRIBE: no topic filter", true},
	{"SUBACK with return code 3", step{s2c, pkt(0x90, "\x00\x01\x03")},
		"malformed SUBACK: return code 3, which SUBACK does not have", true},
	{"CONNACK from the client", step{c2s, pkt(0x20, "\x00\x00")},
		"malformed CONNACK: sent by the client, but only the broker sends CONNACK", true},
	{"DISCONNECT from the broker", step{s2c, pkt(0xe0, "")},
		"malformed DISCONNECT: sent by the broker, but only the client sends DISCONNECT", true},
}

func TestMalformed(t *testing.T) {
	for _, tt := range malformedTests {
		for _, chunk := range []int{0, 1} {
			a := NewAnalyzer()
			analyzertest.Feed(a, connected, 0)
			msgs := analyzertest.Feed(a, []step{tt.bad, ping}, chunk)
			want := []string{tt.summary}
			if tt.then {
				want = append(want, "PINGREQ")
			}
			if got := analyzertest.Summaries(msgs); !slices.Equal(got, want) {
				t.Errorf("%s, chunks of %d: %q, want %q", tt.name, chunk, got, want)
				continue
			}
			m := msgs[0]
			if !strings.Contains(m.Meaning, "§4.8") && !strings.Contains(m.Ref, "§4.8") || m.Exchange != nil || m.Pub != nil || m.NextState != "" {
				t.Errorf("%s: meaning %q, ref %q, exchange %v, pub %v, next %q", tt.name, m.Meaning, m.Ref, m.Exchange, m.Pub, m.NextState)
			}
			if a.State() != StateConnected {
				t.Errorf("%s: state %q", tt.name, a.State())
			}
			analyzertest.CheckSpans(t, msgs)
		}
	}
}

func TestNotConnectFirst(t *testing.T) {
	a := NewAnalyzer()
	msgs := analyzertest.Feed(a, []step{{c2s, pkt(0x30, str("a/b")+"x")}, {c2s, connect("late")}}, 1)
	if got := msgs[0].Summary; got != "malformed PUBLISH: sent before CONNECT, which must be a client's first packet" {
		t.Errorf("first packet: %q", got)
	}
	if !strings.Contains(msgs[0].Ref, "[MQTT-3.1.0-1]") {
		t.Errorf("ref %q", msgs[0].Ref)
	}
	// The CONNECT after it is the session's first CONNECT.
	if a.State() != StateConnecting {
		t.Errorf("state %q after the CONNECT", a.State())
	}
}

func TestStopsAfterBadLength(t *testing.T) {
	a := NewAnalyzer()
	analyzertest.Feed(a, connected, 0)
	msgs := analyzertest.Feed(a, []step{{c2s, "\x30\x80\x80\x80\x80\x80"}, ping, ping}, 0)
	if len(msgs) != 1 || a.Pending(c2s) != 0 || a.dirs[c2s].ignored == 0 {
		t.Errorf("%q, %d pending, %d ignored", analyzertest.Summaries(msgs), a.Pending(c2s), a.dirs[c2s].ignored)
	}
	// The broker's direction is still framed.
	if got := analyzertest.Summaries(analyzertest.Feed(a, []step{{s2c, pkt(0xd0, "")}}, 0)); !slices.Equal(got, []string{"PINGRESP"}) {
		t.Errorf("broker after the client's bad length: %q", got)
	}
}

func TestTooBig(t *testing.T) {
	a := NewAnalyzer()
	analyzertest.Feed(a, connected, 0)
	big := pkt(0x30, str("lab/big")+strings.Repeat("x", MaxPacket))
	msgs := analyzertest.Feed(a, []step{{c2s, big + pkt(0xc0, "")}}, 1<<16)
	want := []string{"PUBLISH of " + itoa(len(big)) + " bytes, not held", "PINGREQ"}
	if got := analyzertest.Summaries(msgs); !slices.Equal(got, want) {
		t.Errorf("%q, want %q", got, want)
	}
	if len(msgs[0].Raw) > keptBig || a.Pending(c2s) != 0 {
		t.Errorf("kept %d bytes, %d pending", len(msgs[0].Raw), a.Pending(c2s))
	}
}

func itoa(n int) string {
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

func TestUnfinishedAtClose(t *testing.T) {
	a := NewAnalyzer()
	analyzertest.Feed(a, connected, 0)
	analyzertest.Feed(a, []step{{c2s, pkt(0x30, str("a/b")+"hello")[:6]}}, 0)
	end := a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN})
	if got := analyzertest.Summaries(end); !slices.Equal(got, []string{"6 bytes of an unfinished packet"}) || end[0].NextState != StateDisconnected {
		t.Errorf("%q", got)
	}
}
