package framing

import (
	"fmt"
	"testing"

	"github.com/protocollab/protolab/lab"
)

// TestBlockKeepsEarlierMessages hands out slices Feed after Feed, some
// outgrowing the room left, and checks that no later slice overwrites an
// earlier one and that appending to a handed-out slice cannot either.
func TestBlockKeepsEarlierMessages(t *testing.T) {
	var k Block
	var kept [][]lab.Message
	n := 0
	for feed := range 200 {
		out := k.Start()
		drop := feed%5 == 0 // an analyzer that drops the first message it made
		if drop {
			out = append(out, lab.Message{Summary: "dropped"})
		}
		for range feed % 23 { // 0 to 22 messages, more than blockMin at times
			out = append(out, lab.Message{Summary: fmt.Sprint(n)})
			n++
		}
		if drop {
			out = out[1:]
		}
		out = k.Done(out)
		if len(out) == 0 && out != nil {
			t.Fatalf("feed %d: an empty non-nil slice", feed)
		}
		if len(out) > 0 {
			_ = append(out, lab.Message{Summary: "appended by a reader"})
		}
		kept = append(kept, out)
	}
	want := 0
	for feed, out := range kept {
		for _, m := range out {
			if m.Summary != fmt.Sprint(want) {
				t.Fatalf("feed %d: message %q, want %d", feed, m.Summary, want)
			}
			want++
		}
	}
	if want != n {
		t.Fatalf("%d messages kept, want %d", want, n)
	}
}

// TestAllocationsGrow: a Block's, a Slab's and an Arena's first allocation is
// small, for a connection that frames a message or two and ends (a flood of
// them must not hold a full allocation each), and a busy one's grow to the
// full size.
func TestAllocationsGrow(t *testing.T) {
	var k Block
	out := k.Done(append(k.Start(), lab.Message{Summary: "one"}))
	if c := cap(k.b); c != blockFirst || len(out) != 1 {
		t.Errorf("a Block's first allocation holds %d messages, want %d", c, blockFirst)
	}
	var s Slab[int]
	s.Put(1)
	if c := cap(s.s); c != slabFirst {
		t.Errorf("a Slab's first allocation holds %d values, want %d", c, slabFirst)
	}
	var a Arena
	a.String([]byte("summary"))
	if c := cap(a.b); c != arenaFirst {
		t.Errorf("an Arena's first allocation holds %d bytes, want %d", c, arenaFirst)
	}
	for i := range 1000 {
		k.Done(append(k.Start(), lab.Message{}, lab.Message{}))
		s.Put(i)
		a.String([]byte("a summary of a busy connection's message"))
	}
	if cap(k.b) != blockSize || cap(s.s) != slabSize || cap(a.b) != arenaSize {
		t.Errorf("after 1000 messages, allocations of %d messages, %d values, %d bytes; want %d, %d, %d",
			cap(k.b), cap(s.s), cap(a.b), blockSize, slabSize, arenaSize)
	}
}

// TestRunsApart: each room Runs hands out holds exactly what was asked for,
// apart from the others (appending to one never writes into the next), and a
// run too long to share an allocation gets one of its own.
func TestRunsApart(t *testing.T) {
	var k Runs[int]
	var rooms [][]int
	for i := range 100 {
		n := i%5 + 1
		r := k.Room(n)
		if len(r) != 0 || cap(r) != n {
			t.Fatalf("room %d: len %d cap %d, want 0 and %d", i, len(r), cap(r), n)
		}
		for range n {
			r = append(r, i)
		}
		rooms = append(rooms, r)
	}
	rooms[0] = append(rooms[0], -1) // past its room: moved, not into the next
	for i, r := range rooms[1:] {
		for _, v := range r {
			if v != i+1 {
				t.Fatalf("room %d holds %v", i+1, r)
			}
		}
	}
	if big := k.Room(slabSize); cap(big) != slabSize {
		t.Errorf("a long run's room has cap %d, want %d", cap(big), slabSize)
	}
	if c := cap(k.s); c != slabSize {
		t.Errorf("after 100 runs, allocations of %d values, want %d", c, slabSize)
	}
}

// TestBlockRoomForBigFeeds: after a Feed that framed more messages than its
// room (a broker's read of hundreds of deliveries), the next Starts give room
// for as many, up to blockMost, so that the next such Feed appends in place;
// a run of small Feeds lets the room shrink back.
func TestBlockRoomForBigFeeds(t *testing.T) {
	var k Block
	feed := func(n int) []lab.Message {
		out := k.Start()
		for i := range n {
			out = append(out, lab.Message{Summary: fmt.Sprint(i)})
		}
		return k.Done(out)
	}
	feed(600) // outgrew the room
	if room := cap(k.Start()); room < 600 {
		t.Fatalf("after a Feed of 600 messages, the next Start gives room for %d", room)
	}
	again := feed(600)
	if len(k.b) < 600 || &k.b[len(k.b)-600] != &again[0] || again[599].Summary != "599" {
		t.Fatal("the next Feed of 600 messages did not frame them in the Block's room")
	}
	feed(5000)
	if room := cap(k.Start()); room < blockMost || room > 5000 {
		t.Errorf("after a Feed of 5000 messages, room for %d, want %d", room, blockMost)
	}
	for range 20 {
		feed(2)
	}
	if k.want > blockMin {
		t.Errorf("after 20 Feeds of 2 messages, the room wanted is still %d", k.want)
	}
}
