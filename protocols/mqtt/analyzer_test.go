package mqtt

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// captureTests are connections recorded by a proxy between Debian's
// mosquitto broker and its clients (testdata), with what the analyzer must make
// of them.
var captureTests = []struct {
	file      string
	summaries []string
	exchanges []string // kind/id/state of the messages that carry one
	subjects  []string // the publications' subjects
}{
	{"mosquitto-pub-qos0.txt",
		[]string{`CONNECT "pub0" (clean session, keep-alive 60 s)`, "CONNACK 0 Accepted", `PUBLISH lab/sensors/t1: "21.5"`, "DISCONNECT"},
		nil, []string{"lab.sensors.t1"}},
	{"mosquitto-pub-qos1.txt",
		[]string{`CONNECT "pub1" (clean session, keep-alive 60 s, user "bob")`, "CONNACK 0 Accepted",
			`PUBLISH lab/sensors/t2 QoS 1 id 1 retain: "hello qos1"`, "PUBACK 1", "DISCONNECT"},
		[]string{"qos1/client 1/published", "qos1/client 1/acknowledged"}, []string{"lab.sensors.t2"}},
	{"mosquitto-pub-qos2.txt",
		[]string{`CONNECT "pub2" (clean session, keep-alive 60 s, will "lab/will")`, "CONNACK 0 Accepted",
			`PUBLISH lab/a.b QoS 2 id 1: "exactly once"`, "PUBREC 1", "PUBREL 1", "PUBCOMP 1", "DISCONNECT"},
		[]string{"qos2/client 1/published", "qos2/client 1/received", "qos2/client 1/released", "qos2/client 1/complete"},
		[]string{"lab.a//b"}},
	{"mosquitto-pub-binary.txt",
		[]string{`CONNECT "pub3" (clean session, keep-alive 60 s)`, "CONNACK 0 Accepted", "PUBLISH lab/bin QoS 1 id 1: 4 bytes", "PUBACK 1", "DISCONNECT"},
		[]string{"qos1/client 1/published", "qos1/client 1/acknowledged"}, []string{"lab.bin"}},
	{"mosquitto-sub.txt",
		[]string{`CONNECT "sub1" (clean session, keep-alive 60 s)`, "CONNACK 0 Accepted",
			"SUBSCRIBE 1: lab/# (QoS 2), other/+/x (QoS 2)", "SUBACK 1: QoS 2, QoS 2",
			`PUBLISH lab/sensors/t2 QoS 1 id 1 retain: "hello qos1"`, "PUBACK 1",
			`PUBLISH lab/sensors/t1: "21.5"`,
			`PUBLISH lab/sensors/t2 QoS 1 id 2: "hello qos1"`, "PUBACK 2",
			`PUBLISH lab/a.b QoS 2 id 3: "exactly once"`, "PUBREC 3", "PUBREL 3", "PUBCOMP 3", "DISCONNECT"},
		[]string{"qos1/broker 1/published", "qos1/broker 1/acknowledged", "qos1/broker 2/published", "qos1/broker 2/acknowledged",
			"qos2/broker 3/published", "qos2/broker 3/received", "qos2/broker 3/released", "qos2/broker 3/complete"},
		[]string{"lab.sensors.t2", "lab.sensors.t1", "lab.sensors.t2", "lab.a//b"}},
	{"paho-ping-unsubscribe.txt",
		[]string{`CONNECT "paho1" (clean session, keep-alive 1 s)`, "CONNACK 0 Accepted",
			"SUBSCRIBE 1: lab/x (QoS 1), lab/+/y (QoS 2)", "SUBACK 1: QoS 1, QoS 2",
			`PUBLISH lab/x QoS 1 id 2: "to myself"`, `PUBLISH lab/x QoS 1 id 1: "to myself"`, "PUBACK 2", "PUBACK 1",
			"PINGREQ", "PINGRESP", "UNSUBSCRIBE 3: lab/x, lab/+/y", "UNSUBACK 3", "DISCONNECT"},
		[]string{"qos1/client 2/published", "qos1/broker 1/published", "qos1/client 2/acknowledged", "qos1/broker 1/acknowledged"},
		[]string{"lab.x", "lab.x"}},
}

func exchanges(msgs []lab.Message) []string {
	var s []string
	for _, m := range msgs {
		if e := m.Exchange; e != nil {
			s = append(s, e.Kind+"/"+e.ID+"/"+e.State)
		}
	}
	return s
}

func TestCaptures(t *testing.T) {
	for _, tt := range captureTests {
		steps := capture(t, tt.file)
		for _, chunk := range []int{0, 1, 3} {
			a := NewAnalyzer()
			msgs := analyzertest.Feed(a, steps, chunk)
			if got := analyzertest.Summaries(msgs); !slices.Equal(got, tt.summaries) {
				t.Errorf("%s in chunks of %d:\n%q, want\n%q", tt.file, chunk, got, tt.summaries)
			}
			if got, want := analyzertest.States(msgs), []string{StateConnecting, StateConnected, StateDisconnected}; !slices.Equal(got, want) {
				t.Errorf("%s in chunks of %d: states %q, want %q", tt.file, chunk, got, want)
			}
			if got := exchanges(msgs); !slices.Equal(got, tt.exchanges) {
				t.Errorf("%s in chunks of %d: exchanges %q, want %q", tt.file, chunk, got, tt.exchanges)
			}
			if got := analyzertest.Subjects(msgs); !slices.Equal(got, tt.subjects) {
				t.Errorf("%s in chunks of %d: subjects %q, want %q", tt.file, chunk, got, tt.subjects)
			}
			analyzertest.CheckSpans(t, msgs)
			for _, m := range msgs {
				if m.Meaning == "" || !strings.HasPrefix(m.Ref, "MQTT 3.1.1 §") || !m.Observed || m.Dir == 0 {
					t.Errorf("%s: %q has meaning %q, ref %q", tt.file, m.Summary, m.Meaning, m.Ref)
				}
			}
			if a.Pending(c2s) != 0 || a.Pending(s2c) != 0 {
				t.Errorf("%s: bytes left pending", tt.file)
			}
		}
	}
}

// TestExchangesDeclared checks that every exchange state the analyzer marks is
// reached along its kind's declared transitions, per exchange.
func TestExchangesDeclared(t *testing.T) {
	kinds := Exchanges()
	for _, tt := range captureTests {
		at := map[string]string{}
		for _, m := range analyzertest.Feed(NewAnalyzer(), capture(t, tt.file), 0) {
			e := m.Exchange
			if e == nil {
				continue
			}
			k, ok := kinds[e.Kind]
			if !ok || !slices.Contains(k.Transitions, [2]string{at[e.Kind+e.ID], e.State}) {
				t.Errorf("%s: %q moves %s %q from %q to %q, not a declared transition", tt.file, m.Summary, e.Kind, e.ID, at[e.Kind+e.ID], e.State)
			}
			at[e.Kind+e.ID] = e.State
		}
	}
}

func TestRoles(t *testing.T) {
	msgs := analyzertest.Feed(NewAnalyzer(), capture(t, "paho-ping-unsubscribe.txt"), 0)
	var got []string
	for _, m := range msgs {
		switch m.Role {
		case lab.RoleRequest:
			got = append(got, "ask "+m.Pair)
		case lab.RoleAnswer:
			got = append(got, "answer "+m.Pair)
		}
	}
	want := []string{"ask CONNECT", "answer CONNECT", "ask SUBSCRIBE 1", "answer SUBSCRIBE 1",
		"ask PINGREQ", "answer PINGREQ", "ask UNSUBSCRIBE 3", "answer UNSUBSCRIBE 3"}
	if !slices.Equal(got, want) {
		t.Errorf("roles\n%q, want\n%q", got, want)
	}
}

func TestPublication(t *testing.T) {
	msgs := analyzertest.Feed(NewAnalyzer(), capture(t, "mosquitto-pub-binary.txt"), 0)
	m := analyzertest.Find(t, msgs, "PUBLISH lab/bin QoS 1 id 1: 4 bytes")
	payload := []byte{0x00, 0x01, 0xfe, 0xff}
	if want := (lab.Publication{Subject: "lab.bin", Digest: lab.PayloadDigest(payload), Size: 4}); m.Pub == nil || !reflect.DeepEqual(*m.Pub, want) {
		t.Errorf("Pub = %+v, want %+v", m.Pub, want)
	}
	if got := analyzertest.Field(m, "payload"); got != "00 01 fe ff (hex)" {
		t.Errorf("payload = %q, want it in hex", got)
	}
	for _, m := range msgs {
		if m.Pub != nil && !strings.HasPrefix(m.Summary, "PUBLISH") {
			t.Errorf("%q marked as a publication", m.Summary)
		}
	}
}

func TestSpans(t *testing.T) {
	msgs := analyzertest.FeedSpans(t, NewAnalyzer(), capture(t, "mosquitto-pub-qos1.txt"))
	conn := msgs[0]
	analyzertest.ExpectSpans(t, conn, analyzertest.Spans{
		"fixed header": "\x10\x1d", "packet type": "\x10", "remaining length": "\x1d",
		"protocol name": "MQTT", "protocol level": "\x04", "connect flags": "\xc2", "clean session": "\xc2",
		"keep alive": "\x00\x3c", "client identifier": "pub1", "user name": "bob", "password": "secret", "password length": "\x00\x06",
	})
	if got := analyzertest.Field(conn, "password"); got != masked || strings.Contains(conn.Summary+conn.Meaning, "secret") {
		t.Errorf("password shown as %q; summary %q", got, conn.Summary)
	}
	analyzertest.ExpectSpans(t, msgs[2], analyzertest.Spans{
		"topic name": "lab/sensors/t2", "packet identifier": "\x00\x01", "payload": "hello qos1", "RETAIN": "\x33", "QoS": "\x33",
	})
	analyzertest.ExpectSpans(t, msgs[3], analyzertest.Spans{"packet identifier": "\x00\x01"})

	sub := analyzertest.FeedSpans(t, NewAnalyzer(), capture(t, "mosquitto-sub.txt"))
	analyzertest.ExpectSpans(t, sub[2], analyzertest.Spans{
		"packet identifier": "\x00\x01", "topic filter 1": "lab/#", "requested QoS 1": "\x02", "topic filter 2": "other/+/x", "requested QoS 2": "\x02",
	})
	analyzertest.ExpectSpans(t, sub[3], analyzertest.Spans{"return code 1": "\x02", "return code 2": "\x02"})
	if got := analyzertest.Field(sub[2], "NATS subject 1"); got != "lab.>" {
		t.Errorf("NATS subject of lab/# = %q, want lab.>", got)
	}
}

func TestConnack(t *testing.T) {
	for rc, name := range []string{"Accepted", "Refused, unacceptable protocol version", "Refused, identifier rejected",
		"Refused, Server unavailable", "Refused, bad user name or password", "Refused, not authorized"} {
		a := NewAnalyzer()
		steps := []step{{c2s, connect("x")}, {s2c, pkt(0x20, "\x00"+string(rune(rc)))}}
		msgs := analyzertest.Feed(a, steps, 0)
		want := StateRefused
		if rc == 0 {
			want = StateConnected
		}
		if got := msgs[1].Summary; got != "CONNACK "+string(rune('0'+rc))+" "+name {
			t.Errorf("return code %d: %q", rc, got)
		}
		if a.State() != want || analyzertest.Field(msgs[1], "return code") == "" {
			t.Errorf("return code %d: state %q, want %q", rc, a.State(), want)
		}
		end := a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN})
		closing := map[bool]string{true: "connection closed without DISCONNECT", false: "connection closed after the refusal"}[rc == 0]
		if a.State() != StateDisconnected || len(end) != 1 || end[0].NextState != StateDisconnected || end[0].Summary != closing {
			t.Errorf("return code %d: after the close %q, %q", rc, a.State(), analyzertest.Summaries(end))
		}
	}
	msgs := analyzertest.Feed(NewAnalyzer(), []step{{c2s, connect("x")}, {s2c, pkt(0x20, "\x01\x00")}}, 0)
	if got := msgs[1].Summary; got != "CONNACK 0 Accepted (session present)" {
		t.Errorf("session present: %q", got)
	}
}

func TestWillOnDroppedConnection(t *testing.T) {
	a := NewAnalyzer()
	steps := capture(t, "mosquitto-pub-qos2.txt")
	analyzertest.Feed(a, steps[:len(steps)-1], 0) // all but the DISCONNECT
	end := a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowRST})
	if len(end) != 1 || end[0].Summary != "connection closed without DISCONNECT" || analyzertest.Field(end[0], "will topic") != "lab/will" {
		t.Fatalf("closed: %q", analyzertest.Summaries(end))
	}
	if end[0].NextState != StateDisconnected || !strings.Contains(end[0].Meaning, "will") {
		t.Errorf("closed: next %q, meaning %q", end[0].NextState, end[0].Meaning)
	}
	if again := a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN}); len(again) != 0 {
		t.Errorf("second close: %q", analyzertest.Summaries(again))
	}

	// After a DISCONNECT the close adds nothing.
	a = NewAnalyzer()
	analyzertest.Feed(a, steps, 0)
	if end := a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN}); len(end) != 0 {
		t.Errorf("close after DISCONNECT: %q", analyzertest.Summaries(end))
	}
}

func TestClosedBeforeConnect(t *testing.T) {
	a := NewAnalyzer()
	end := a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN})
	if got := analyzertest.Summaries(end); !slices.Equal(got, []string{"connection closed"}) || end[0].NextState != StateDisconnected {
		t.Errorf("%q", got)
	}
}

// TestBusyPacketsDeferred: PUBLISH and its acknowledgements, a session's busy
// traffic, are framed with their marks at once and their fields built when
// someone looks; a malformed one, and every other packet, is shown whole at
// once. Built, the deferred fields cover their bytes.
func TestBusyPacketsDeferred(t *testing.T) {
	a := NewAnalyzer()
	feed := func(dir lab.Dir, b ...byte) lab.Message {
		t.Helper()
		msgs := a.Feed(dir, b, time.Time{})
		if len(msgs) != 1 {
			t.Fatalf("% x framed as %d messages", b, len(msgs))
		}
		return msgs[0]
	}
	if m := feed(lab.ClientToServer, 0x10, 0x0c, 0, 4, 'M', 'Q', 'T', 'T', 4, 2, 0, 60, 0, 0); m.Deferred() {
		t.Error("CONNECT deferred")
	}
	feed(lab.ServerToClient, 0x20, 2, 0, 0)
	pub := feed(lab.ClientToServer, 0x32, 11, 0, 5, 'l', 'a', 'b', '/', 'x', 0, 7, 'h', 'i')
	if !pub.Deferred() || len(pub.Fields) != 0 || pub.Pub == nil || pub.Exchange == nil {
		t.Fatalf("PUBLISH: deferred %v, fields at once %d, marks %+v %+v", pub.Deferred(), len(pub.Fields), pub.Pub, pub.Exchange)
	}
	analyzertest.ExpectSpans(t, *pub.Built(), analyzertest.Spans{"topic name": "lab/x", "packet identifier": "\x00\x07", "payload": "hi"})
	ack := feed(lab.ServerToClient, 0x40, 2, 0, 7)
	if fields, meaning := ack.Detail(); !ack.Deferred() || !strings.Contains(meaning, `PUBLISH to "lab/x" with packet identifier 7`) || len(fields) != 5 {
		t.Errorf("PUBACK: deferred %v, meaning %q, %d fields", ack.Deferred(), meaning, len(fields))
	}
	bad := feed(lab.ClientToServer, 0x30, 7, 0, 5, 'l', 'a', 'b', '/', '#')
	if bad.Deferred() || !strings.HasPrefix(bad.Summary, "malformed") || len(bad.Fields) == 0 {
		t.Errorf("a malformed PUBLISH: deferred %v, %q with %d fields", bad.Deferred(), bad.Summary, len(bad.Fields))
	}
}
