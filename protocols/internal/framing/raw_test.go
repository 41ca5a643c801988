package framing

import (
	"strings"
	"testing"
)

// TestRawInPlaceThenCopied: pieces that follow each other in the fed array
// are resliced, not copied; the first that does not follow makes a copy, and
// the fed bytes, even with room after them, are never written.
func TestRawInPlaceThenCopied(t *testing.T) {
	fed := append(make([]byte, 0, 32), "headbody"...)
	room := fed[len(fed):cap(fed)]
	for i := range room {
		room[i] = '#'
	}
	in := fed[:len(fed):len(fed)]
	var r Raw
	r.Start(in[:4], true, 0)
	r.Add(in[4:])
	if string(r.Bytes()) != "headbody" || &r.Bytes()[0] != &fed[0] || r.Copied() {
		t.Fatalf("in place: %q (copied %v)", r.Bytes(), r.Copied())
	}
	r.Add([]byte("more"))
	if string(r.Bytes()) != "headbodymore" || &r.Bytes()[0] == &fed[0] || !r.Copied() || r.Len() != 12 {
		t.Fatalf("after a piece from elsewhere: %q (copied %v)", r.Bytes(), r.Copied())
	}
	if string(fed) != "headbody" || strings.Trim(string(room), "#") != "" {
		t.Errorf("the fed bytes changed: %q, room after them %q", fed, room)
	}
	var c Raw
	c.Start(in[:4], false, 16)
	if &c.Bytes()[0] == &fed[0] || !c.Copied() {
		t.Error("a start not in place is not a copy")
	}
	if b := r.Bytes(); cap(b) != len(b) {
		t.Errorf("Bytes has room after it: cap %d, len %d", cap(b), len(b))
	}
}
