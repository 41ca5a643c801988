package lab

import (
	"bytes"
	"time"
	"unsafe"
)

// When both ends of a TCP conversation are tapped in the lab (the lab's client
// and the lab's server), each byte is recorded twice: by the writer's tap,
// before it is sent, and by the reader's, when it arrives. The second time
// it is the same bytes at the same place in the stream, so the reader's
// event points at the writer's copy (shared, counted once against the bound)
// instead of copying them again. What the reader records is cut where the
// writer's writes begin and end: each of its events is the part of one write
// that arrived at that moment.

// stream is what a TCP direction's writer kept lately, each piece with where
// it begins in the stream, and how far each tap's record of the direction
// got. c.mu guards it.
type stream struct {
	pieces      recent[piece]
	wrote, read int64 // bytes of the stream the writer's tap and the reader's recorded
}

// piece is one write's bytes as the writer's tap kept them, from off on.
type piece struct {
	off  int64
	d    []byte
	home unsafe.Pointer
}

// write remembers that the writer's tap kept d, the direction's next bytes,
// if the reader's tap is there to share it (keep); a reader more than
// maxSent writes behind copies what it records.
func (s *stream) write(d []byte, home unsafe.Pointer, keep bool) {
	off := s.wrote
	s.wrote += int64(len(d))
	if keep && len(d) > 0 {
		s.pieces.push(piece{off, d, home})
	}
}

// take returns the writer's copy of b's first n bytes, the reader's next, if
// the writer kept them in one piece: a part of b up to where that write ends.
// The pieces the reader has passed are forgotten. ok is false when the
// writer did not keep them (or they differ: a tap that joined after the
// stream began counts from elsewhere); the reader then copies b (skip).
func (s *stream) take(b []byte) (own []byte, home unsafe.Pointer, n int, ok bool) {
	q, at := &s.pieces, s.read
	for i := q.head; i < len(q.b); i++ {
		p := &q.b[i]
		end := p.off + int64(len(p.d))
		if at >= end {
			continue
		}
		if at < p.off {
			break
		}
		k := int(at - p.off)
		n = min(len(b), len(p.d)-k)
		if !bytes.Equal(p.d[k:k+n], b[:n]) {
			break
		}
		own, home = p.d[k:k+n:k+n], p.home
		s.read += int64(n)
		if s.read == end {
			i++ // wholly read
		}
		q.forget(i)
		return own, home, n, true
	}
	return nil, nil, 0, false
}

// skip counts n bytes the reader recorded without sharing them.
func (s *stream) skip(n int) { s.read += int64(n) }

// shareStream records what b holds of the writer's pieces, each part an event
// pointing at the writer's copy, and returns the rest of b, for the reader's
// tap to copy as usual (the reader skips it in the stream). c.mu must be held.
func (c *Conversation) shareStream(side Side, dir Dir, b []byte, at time.Time) []byte {
	s := &c.pairs().stream[dir]
	for len(b) > 0 {
		own, home, n, ok := s.take(b)
		if !ok {
			s.skip(len(b))
			return b
		}
		c.echo[side] = sent{own, home}
		c.record(side, dir, own, home, true, false, at)
		b = b[n:]
	}
	return nil
}
