package framing

import "github.com/protocollab/protolab/internal/mem"

// Raw gathers one message's bytes as they crossed the wire, for its Raw:
// while they are the fed bytes themselves, one piece after the next in the
// same array, it only reslices them (no copy; the fed bytes are the
// analyzer's to keep, lab.Analyzer); from the first piece that does not
// follow, it copies, and never writes into the fed bytes. Fed bytes must
// reach no further than what was fed (b[:len(b):len(b)]), so the room after
// them is never taken for the message's.
type Raw struct {
	b       []byte
	inPlace bool
}

// Start begins a message with b: the fed bytes themselves when inPlace, a
// copy otherwise, with room for size bytes in all when it is known.
func (r *Raw) Start(b []byte, inPlace bool, size int) {
	if inPlace {
		r.b, r.inPlace = b, true
		return
	}
	r.b, r.inPlace = append(mem.Room(max(len(b), size, 1)), b...), false
}

// Add appends b, the message's next bytes.
func (r *Raw) Add(b []byte) {
	if r.inPlace {
		n := len(r.b)
		if len(b) > 0 && cap(r.b)-n >= len(b) && &r.b[:n+1][n] == &b[0] {
			r.b = r.b[:n+len(b)]
			return
		}
		r.inPlace = false
		r.b = r.b[:n:n] // the next append copies
	}
	r.b = append(r.b, b...)
}

// Bytes returns the message's bytes so far; nothing appended to them reaches
// the fed bytes.
func (r *Raw) Bytes() []byte { return r.b[:len(r.b):len(r.b)] }

// Len is how many bytes the message has so far.
func (r *Raw) Len() int { return len(r.b) }

// Copied reports whether the bytes are the analyzer's own copy rather than the
// fed bytes, and so count against the hub's bound apart (lab.Message.Holds).
func (r *Raw) Copied() bool { return !r.inPlace }
