package framing

import (
	"fmt"
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
