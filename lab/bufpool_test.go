package lab

import "testing"

// TestBufPool: a pool keeps buffers of the capacities it is for, lends one
// that is big enough, and makes one of at least its minimum otherwise.
func TestBufPool(t *testing.T) {
	p := bufPool{c: make(chan []byte, 2), min: 1024, max: 4096}
	if b := p.get(10); len(b) != 10 || cap(b) != 1024 {
		t.Errorf("new buffer: %d bytes of %d, want 10 of the minimum 1024", len(b), cap(b))
	}
	p.put(make([]byte, 512))  // too small to keep
	p.put(make([]byte, 8192)) // too big to keep
	if n := len(p.c); n != 0 {
		t.Errorf("%d buffers kept, want none of the wrong size", n)
	}
	kept := make([]byte, 2048)
	p.put(kept)
	if b := p.get(3000); cap(b) < 3000 || &b[:1][0] == &kept[0] {
		t.Error("a buffer too small for the need was lent")
	}
	p.put(kept)
	if b := p.get(2000); len(b) != 2000 || &b[0] != &kept[0] {
		t.Error("the buffer kept was not lent for a need it meets")
	}
	p.put(make([]byte, 1024))
	p.put(make([]byte, 1024))
	p.put(make([]byte, 1024)) // the pool is full: let go
	if n := len(p.c); n != 2 {
		t.Errorf("%d buffers kept, want the pool's 2", n)
	}
}
