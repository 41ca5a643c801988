package sctp

import "testing"

// TestDeferredShared: a chunk like one of the last few kept shares its
// filler (the hub's log keeps a shared filler once); one unlike it, or
// alike but with another snapshot of its channel, gets its own.
func TestDeferredShared(t *testing.T) {
	a := NewAnalyzer()
	data := deferred{typ: chunkData, flags: 3, off: CommonHeaderLen, n: 1100}
	first := a.deferred(data)
	sack := a.deferred(deferred{typ: chunkSack, off: CommonHeaderLen, n: 12})
	if a.deferred(data) != first || first.n != data.n || first.typ != data.typ {
		t.Error("a DATA chunk like the one before it did not share its filler")
	}
	chat := map[uint16]channel{1: {label: "chat"}}
	for _, d := range []deferred{
		{typ: chunkData, flags: 2, off: CommonHeaderLen, n: 1100}, // another fragment
		{typ: chunkData, flags: 3, off: CommonHeaderLen + 16, n: 1100},
		{typ: chunkData, flags: 3, off: CommonHeaderLen, n: 1099},
		{typ: chunkData, flags: 3, off: CommonHeaderLen, n: 1100, snap: chat},
		{typ: chunkData, flags: 3, off: CommonHeaderLen, n: 1100, snap: map[uint16]channel{1: {label: "chat"}}},
	} {
		if k := a.deferred(d); k == first || k == sack || k.off != d.off || k.n != d.n || k.flags != d.flags || !sameMap(k.snap, d.snap) {
			t.Errorf("%+v shared %+v", d, *k)
		}
	}
	if a.deferred(deferred{typ: chunkData, flags: 3, off: CommonHeaderLen, n: 1100, snap: chat}).snap == nil {
		t.Error("a chunk with its channel's snapshot shared one without")
	}
}
