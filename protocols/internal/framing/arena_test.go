package framing

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// TestArenaKeepsApart: what the arena hands out stays as it was whatever
// comes after, and room never reaches into the next.
func TestArenaKeepsApart(t *testing.T) {
	var a Arena
	var kept []string
	var rooms [][]byte
	for i := range 2000 {
		s := fmt.Sprintf("summary %d %s", i, strings.Repeat("y", i%300))
		buf := []byte(s)
		kept = append(kept, a.String(buf))
		clear(buf) // the caller's bytes are its own again
		r := a.Room(i % 50)
		if cap(r) != i%50 || len(r) != 0 {
			t.Fatalf("room %d: len %d cap %d", i, len(r), cap(r))
		}
		rooms = append(rooms, append(r, strings.Repeat("r", i%50)...))
	}
	for i, s := range kept {
		if want := fmt.Sprintf("summary %d %s", i, strings.Repeat("y", i%300)); s != want {
			t.Fatalf("string %d = %q, want %q", i, s, want)
		}
		if want := strings.Repeat("r", i%50); string(rooms[i]) != want {
			t.Fatalf("room %d = %q", i, rooms[i])
		}
	}
	if a.String(nil) != "" {
		t.Error("String(nil) is not empty")
	}
	if big := a.Room(arenaSize); cap(big) != arenaSize {
		t.Errorf("a large room: cap %d", cap(big))
	}
}

// TestArenaText: a text built in the scratch room stays as it was while the
// next ones are built in the same room, and a room grown past maxScratch is
// not kept.
func TestArenaText(t *testing.T) {
	var a Arena
	var scratch []byte
	var texts []string
	for i := 0; i < 100; i++ {
		b := append(scratch[:0], "message "...)
		b = strconv.AppendInt(b, int64(i), 10)
		texts = append(texts, a.Text(&scratch, b))
	}
	for i, s := range texts {
		if want := "message " + strconv.Itoa(i); s != want {
			t.Fatalf("text %d = %q, want %q", i, s, want)
		}
	}
	if cap(scratch) == 0 {
		t.Fatal("the room was not kept for the next text")
	}
	big := a.Text(&scratch, make([]byte, maxScratch+1))
	if len(big) != maxScratch+1 || scratch != nil {
		t.Fatalf("a room of %d bytes: text of %d bytes, scratch kept with room for %d", maxScratch+1, len(big), cap(scratch))
	}
}

// TestArenaSized: an arena sized by First and Most shares allocations up to
// a quarter of Most between rooms, and gives a larger one that does not fit
// its own.
func TestArenaSized(t *testing.T) {
	a := Arena{First: 2 << 10, Most: 64 << 10}
	for range 8 {
		a.Room(16 << 10)
	}
	if cap(a.b) != 64<<10 || len(a.b)%(16<<10) != 0 {
		t.Errorf("16 KiB rooms: %d bytes of a shared allocation of %d, want allocations of %d", len(a.b), cap(a.b), 64<<10)
	}
	b := Arena{First: 2 << 10, Most: 64 << 10}
	if big := b.Room(16<<10 + 1); cap(big) != 16<<10+1 || b.b != nil {
		t.Errorf("a room over a quarter of Most: cap %d, and a shared allocation of %d bytes made", cap(big), cap(b.b))
	}
}
