package mem

import (
	"bytes"
	"testing"
)

// TestRoom: the room is empty, holds at least n bytes appended in place,
// and is a buffer of its own.
func TestRoom(t *testing.T) {
	for _, n := range []int{1, 7, 256, 4 << 10, 64 << 10, 100_000} {
		a, b := Room(n), Room(n)
		if len(a) != 0 || cap(a) < n {
			t.Fatalf("Room(%d): len %d cap %d", n, len(a), cap(a))
		}
		first := &a[:1][0]
		a = append(a, bytes.Repeat([]byte{'a'}, n)...)
		b = append(b, bytes.Repeat([]byte{'b'}, n)...)
		if &a[0] != first {
			t.Fatalf("Room(%d): appending %d bytes moved the buffer", n, n)
		}
		if bytes.Count(a, []byte{'a'}) != n || bytes.Count(b, []byte{'b'}) != n {
			t.Fatalf("Room(%d): two rooms share bytes", n)
		}
	}
}

// BenchmarkRoom compares a 64 KiB capture slab written once, made cleared
// (make) and not (Room).
func BenchmarkRoom(b *testing.B) {
	src := bytes.Repeat([]byte{1}, 64<<10)
	b.Run("make", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			s := make([]byte, 0, len(src))
			sink = append(s, src...)
		}
	})
	b.Run("room", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			sink = append(Room(len(src)), src...)
		}
	})
}

var sink []byte
