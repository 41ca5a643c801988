package lab

import (
	"slices"
	"testing"
)

// TestDeferredDetail: a message whose fields and meaning are deferred builds
// them from its own bytes each time they are asked for, after the ones set at
// once, and every reader of fields (the JSON record, a built copy) sees them.
func TestDeferredDetail(t *testing.T) {
	calls := 0
	m := Message{
		Dir:     ServerToClient,
		Summary: "PUBLISH lab/t1",
		Meaning: "Set at once.",
		Fields:  []Field{{Name: "eager", Value: "1"}},
		Raw:     []byte("21.5"),
	}
	m.Defer(func(m *Message) ([]Field, string) {
		calls++
		return []Field{{Name: "payload", Value: string(m.Raw), Off: 0, Len: len(m.Raw)}}, "Built from " + m.Dir.String() + "."
	})
	if !m.Deferred() {
		t.Fatal("Deferred after Defer = false")
	}
	if calls != 0 {
		t.Fatal("Defer built the detail at once")
	}
	want := []Field{{Name: "eager", Value: "1"}, {Name: "payload", Value: "21.5", Off: 0, Len: 4}}
	fields, meaning := m.Detail()
	if !slices.Equal(fields, want) || meaning != "Set at once. Built from "+ServerToClient.String()+"." {
		t.Errorf("Detail = %v, %q", fields, meaning)
	}
	if !slices.Equal(m.Fields, want[:1]) {
		t.Errorf("Detail changed the message's own fields: %v", m.Fields)
	}
	b := m.Built()
	if b == &m || b.Deferred() || !slices.Equal(b.Fields, want) || b.Meaning != meaning {
		t.Errorf("Built = %+v", b)
	}
	r := RecordOf(Event{Kind: KindMessage, Msg: &m}, "mqtt", "", "")
	if !slices.Equal(r.Fields, want) || r.Meaning != meaning {
		t.Errorf("the JSON record's fields %v and meaning %q", r.Fields, r.Meaning)
	}
	if calls != 3 {
		t.Errorf("the detail was built %d times for three readers, want each time (nothing held)", calls)
	}

	plain := Message{Summary: "x", Fields: want[:1], Meaning: "m"}
	if plain.Built() != &plain || plain.Deferred() {
		t.Error("a message without a deferred detail is copied by Built")
	}
}

// TestHoldsCountsAgainstTheBound: what a message says its analyzer holds for
// it counts against the hub's bound, and a built copy holds nothing more.
func TestHoldsCountsAgainstTheBound(t *testing.T) {
	h := NewHub(HubOptions{})
	m := Message{Summary: "x"}
	h.Publish(Event{Kind: KindMessage, Msg: &m})
	before := h.Stats().Bytes
	held := Message{Summary: "x"}
	held.Defer(func(*Message) ([]Field, string) { return nil, "" })
	held.Holds(1000)
	held.Holds(-5) // nothing taken off
	h.Publish(Event{Kind: KindMessage, Msg: &held})
	if got := h.Stats().Bytes - before; got != before+48+1000 {
		t.Errorf("a message holding 1000 bytes cost %d, want %d", got, before+48+1000)
	}
	if b := held.Built(); b.held != 0 {
		t.Errorf("a built copy holds %d", b.held)
	}
}
