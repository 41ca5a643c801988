package labfile

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/protocollab/protolab/lab"
)

// markSynthetic marks some of a synthetic session's messages (the i-th event's)
// as analyzers of a broker and of requests do.
func markSynthetic(m *lab.Message, i int) {
	switch i % 16 {
	case 1:
		m.Role = lab.RoleRequest
		m.Pub = &lab.Publication{Subject: fmt.Sprintf("lab.page.%d", i), Digest: lab.PayloadDigest(m.Raw), Size: len(m.Raw)}
	case 5:
		m.Exchange = &lab.Exchange{Kind: "qos2", ID: fmt.Sprintf("client %d", i), State: "received"}
	case 9:
		m.Role = lab.RoleAnswer
		m.Pair = fmt.Sprint(i)
		m.Pub = &lab.Publication{Subject: "lab.empty"}
		m.Exchange = &lab.Exchange{Kind: "qos1"}
	}
}

// markSession is one of each mark, and a message with none.
func markSession() *Session {
	seq := uint64(0)
	msg := func(m lab.Message) lab.Event {
		seq++
		return lab.Event{Seq: seq, Conv: 1, Kind: lab.KindMessage, Dir: m.Dir, Layer: "mqtt", Msg: &m}
	}
	return &Session{Format: FormatVersion, Events: []lab.Event{
		msg(lab.Message{Dir: lab.ClientToServer, Summary: "PUBLISH lab/sensors/t1", Raw: []byte("0\x0bx"),
			Fields:   []lab.Field{{Name: "topic", Value: "lab/sensors/t1", Off: 1, Len: 2}},
			Pub:      &lab.Publication{Subject: "lab.sensors.t1", Digest: lab.PayloadDigest([]byte("21.5")), Size: 4},
			Exchange: &lab.Exchange{Kind: "qos2", ID: "client 7", State: "published"}}),
		msg(lab.Message{Dir: lab.ServerToClient, Summary: "PUBREC 7", Exchange: &lab.Exchange{Kind: "qos2", ID: "client 7", State: "received"}}),
		msg(lab.Message{Dir: lab.ClientToServer, Summary: "GET /", Role: lab.RoleRequest}),
		msg(lab.Message{Dir: lab.ServerToClient, Summary: "200 OK", Role: lab.RoleAnswer}),
		msg(lab.Message{Dir: lab.ClientToServer, Summary: "HEADERS stream 5", Role: lab.RoleRequest, Pair: "5"}),
		msg(lab.Message{Dir: lab.ServerToClient, Summary: "DATA stream 5", Role: lab.RoleAnswer, Pair: "5"}),
		msg(lab.Message{Dir: lab.ServerToClient, Summary: "PINGRESP"}),
		msg(lab.Message{Dir: lab.ServerToClient, Summary: "MSG ×3 lab.t1 sid 1", Raw: []byte("MSG lab.t1 1 1\r\na\r\nMSG lab.t1 1 1\r\nb\r\nMSG lab.t1 1 1\r\nc\r\n"),
			Pub: &lab.Publication{Subject: "lab.t1", Digest: lab.PayloadDigest([]byte("a")), Size: 3,
				Burst: []uint64{lab.PayloadDigest([]byte("b")), lab.PayloadDigest([]byte("c"))}}}),
	}}
}

func TestMarksSaved(t *testing.T) {
	want := markSession()
	got := decodeAs(t, FormatVersion, want)
	for i, w := range want.Events {
		g := show(got.Events[i])
		if s := show(w); fmt.Sprintf("%+v %+v %v %q", g.Pub, g.Exchange, g.Role, g.Pair) != fmt.Sprintf("%+v %+v %v %q", s.Pub, s.Exchange, s.Role, s.Pair) {
			t.Errorf("message %q: marks %+v %+v %v %q, want %+v %+v %v %q", s.Summary, g.Pub, g.Exchange, g.Role, g.Pair, s.Pub, s.Exchange, s.Role, s.Pair)
		}
	}
	if f := got.Events[0].Msg.Fields[0]; f.Off != 1 || f.Len != 2 {
		t.Errorf("the publication's span = %d+%d, want 1+2 (the marks follow the spans)", f.Off, f.Len)
	}
}

// A format 3 file has no marks: its messages read back without them, whole otherwise.
func TestFormat3HasNoMarks(t *testing.T) {
	got := decodeAs(t, 3, markSession())
	for _, e := range got.Events {
		if m := e.Msg; m.Pub != nil || m.Exchange != nil || m.Role != lab.RoleNone || m.Pair != "" {
			t.Errorf("format 3 message %q has marks %+v %+v %v %q", m.Summary, m.Pub, m.Exchange, m.Role, m.Pair)
		}
	}
	if m := got.Events[0].Msg; m.Summary != "PUBLISH lab/sensors/t1" || m.Fields[0].Len != 2 || string(m.Raw) != "0\x0bx" {
		t.Errorf("format 3 message = %+v", m)
	}
}

// A format 4 file has no bursts: a burst reads back as its first publication,
// with the size of them all.
func TestFormat4HasNoBursts(t *testing.T) {
	want := markSession()
	got := decodeAs(t, 4, want)
	w, g := want.Events[len(want.Events)-1].Msg.Pub, got.Events[len(got.Events)-1].Msg.Pub
	if g == nil || g.Burst != nil || g.Subject != w.Subject || g.Digest != w.Digest || g.Size != w.Size {
		t.Errorf("format 4 burst = %+v, want %+v without its burst", g, w)
	}
}

// An unknown role is damage.
func TestUnknownRoleRefused(t *testing.T) {
	s := &Session{Format: FormatVersion, Events: []lab.Event{{Seq: 1, Conv: 1, Kind: lab.KindMessage,
		Msg: &lab.Message{Summary: "x", Role: 3}}}}
	var raw bytes.Buffer
	if _, err := encodeAs(&raw, s, FormatVersion); err != nil {
		t.Fatal(err)
	}
	if err := decodeRaw(raw.Bytes(), &Session{Format: FormatVersion}); err == nil {
		t.Error("a message with role 3 decoded")
	}
}

// TestDeferredDetailSaved: a message whose analyzer deferred its fields and
// meaning (lab.Message.Defer) is saved with them built, spans and all.
func TestDeferredDetailSaved(t *testing.T) {
	m := lab.Message{Dir: lab.ClientToServer, Summary: "PUBLISH lab/t1: \"21.5\"", Raw: []byte("\x30\x0c\x00\x06lab/t121.5")}
	m.Defer(func(m *lab.Message) ([]lab.Field, string) {
		return []lab.Field{{Name: "topic name", Value: `"lab/t1"`, Off: 4, Len: 6}, {Name: "payload", Value: `"21.5"`, Off: 10, Len: 4}},
			"The client publishes a message."
	})
	s := &Session{Format: FormatVersion, Events: []lab.Event{{Seq: 1, Conv: 1, Kind: lab.KindMessage, Dir: m.Dir, Layer: "mqtt", Msg: &m}}}
	got := decodeAs(t, FormatVersion, s).Events[0].Msg
	wantFields, wantMeaning := m.Detail()
	if fmt.Sprint(got.Fields) != fmt.Sprint(wantFields) || got.Meaning != wantMeaning || got.Deferred() {
		t.Errorf("saved and read: fields %v, meaning %q, deferred %v; want %v, %q", got.Fields, got.Meaning, got.Deferred(), wantFields, wantMeaning)
	}
}
