package labfile

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// Test hooks and helpers for the package's external tests.
var (
	WrapTemp         = &wrapTemp
	CompareSessions  = compareSessions
	CompareEvents    = compareEvents
	CompareConvs     = compareConvs
	SyntheticSession = synthetic
	MarkSession      = markSession
)

func compareSessions(t *testing.T, got, want *Session) {
	t.Helper()
	if got.Format != FormatVersion || got.App != want.App || !got.Saved.Equal(want.Saved) {
		t.Errorf("Format, App, Saved = %d, %q, %v; want %d, %q, %v", got.Format, got.App, got.Saved, FormatVersion, want.App, want.Saved)
	}
	if !reflect.DeepEqual(got.Bench, want.Bench) {
		t.Errorf("Bench = %+v, want %+v", got.Bench, want.Bench)
	}
	if len(got.Clients) != len(want.Clients) {
		t.Errorf("Clients = %s, want %s", got.Clients, want.Clients)
	}
	for k, v := range want.Clients {
		if !bytes.Equal(got.Clients[k], v) {
			t.Errorf("Clients[%q] = %s, want %s", k, got.Clients[k], v)
		}
	}
	if !reflect.DeepEqual(got.Keys, want.Keys) && (len(got.Keys) > 0 || len(want.Keys) > 0) {
		t.Errorf("Keys = %q, want %q", got.Keys, want.Keys)
	}
	compareConvs(t, got.Conversations, want.Conversations)
	compareEvents(t, got.Events, want.Events, true)
}

// compareConvs compares conversation infos, times by Equal.
func compareConvs(t *testing.T, got, want []lab.ConvInfo) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d conversations, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		for _, tp := range []struct {
			g *time.Time
			w time.Time
		}{{&g.Start, w.Start}, {&g.End, w.End}, {&g.Last, w.Last}} {
			if tp.g.Equal(tp.w) {
				*tp.g = tp.w
			}
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("conversation %d =\n%+v\nwant\n%+v", i, g, w)
		}
	}
}

// shown is what the inspector shows of an event: every exported field.
type shown struct {
	Seq                   uint64
	At                    time.Time
	Conv                  lab.ConvID
	Kind                  lab.Kind
	Dir                   lab.Dir
	Side                  lab.Side
	Layer, From, To, Text string
	Data                  string
	HasMsg                bool
	MsgDir                lab.Dir
	Summary, Meaning, Ref string
	NextState, MsgLayer   string
	Fields                []lab.Field
	Raw                   string
	Handshake, Teardown   bool
	Observed              bool
	Pub                   *lab.Publication
	Exchange              *lab.Exchange
	Role                  lab.Role
	Pair                  string
}

func show(e lab.Event) shown {
	s := shown{Seq: e.Seq, At: e.At, Conv: e.Conv, Kind: e.Kind, Dir: e.Dir, Side: e.Side,
		Layer: e.Layer, From: e.From, To: e.To, Text: e.Text, Data: string(e.Data)}
	if m := e.Msg; m != nil {
		fields, meaning := m.Detail() // built, when they are deferred
		s.HasMsg, s.MsgDir, s.Summary, s.Meaning, s.Ref = true, m.Dir, m.Summary, meaning, m.Ref
		s.NextState, s.MsgLayer, s.Fields, s.Raw = m.NextState, m.Layer, fields, string(m.Raw)
		s.Handshake, s.Teardown, s.Observed = m.Handshake, m.Teardown, m.Observed
		s.Pub, s.Exchange, s.Role, s.Pair = m.Pub, m.Exchange, m.Role, m.Pair
		if len(s.Fields) == 0 {
			s.Fields = nil
		}
	}
	return s
}

// compareEvents compares what the inspector shows of events: with seq, their
// sequence numbers too (otherwise only their order).
func compareEvents(t *testing.T, got, want []lab.Event, seq bool) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d events, want %d", len(got), len(want))
	}
	bad := 0
	for i := range want {
		g, w := show(got[i]), show(want[i])
		if i > 0 && got[i].Seq <= got[i-1].Seq {
			t.Errorf("event %d: Seq %d after %d", i, got[i].Seq, got[i-1].Seq)
		}
		if !seq {
			g.Seq = w.Seq
		}
		if g.At.Equal(w.At) {
			g.At = w.At
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("event %d =\n%+v\nwant\n%+v", i, g, w)
			if bad++; bad > 5 {
				t.FailNow()
			}
		}
	}
}
