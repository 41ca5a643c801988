package dtls

import (
	"fmt"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/tls"
)

// Bounds on what the analyzer keeps of a flow's handshake.
const (
	maxHandshakeLen = 1 << 16 // a message longer is shown in pieces only
	maxPieces       = 8       // messages being put together at once, per direction
	maxSeen         = 512     // pieces remembered to tell retransmissions by
)

// pieces is a handshake message being put together from its fragments.
type pieces struct {
	typ  uint8
	data []byte
	have []bool
	left int // bytes still missing
	n    int // fragments so far
}

type pieceKey struct {
	dir lab.Dir
	seq int
}

// seenBefore reports whether the piece of message seq at fragOff came from dir
// before: a retransmission. It remembers the piece.
func (a *Analyzer) seenBefore(dir lab.Dir, seq, fragOff int) bool {
	k := [3]int{int(dir), seq, fragOff}
	if a.seen[k] {
		return true
	}
	if a.seen == nil {
		a.seen = map[[3]int]bool{}
	}
	if len(a.seen) < maxSeen {
		a.seen[k] = true
	}
	return false
}

// reassemble adds a fragment to its message and returns the whole message,
// explained, once the last piece is in; nil before, or if the message is too
// long to keep or its pieces disagree.
func (a *Analyzer) reassemble(m lab.Message, typ uint8, length, seq, fragOff int, frag []byte, decrypted bool) *lab.Message {
	if length > maxHandshakeLen || fragOff+len(frag) > length {
		return nil
	}
	k := pieceKey{m.Dir, seq}
	p := a.pieces[k]
	if p == nil {
		if len(a.pieces) >= 2*maxPieces {
			return nil
		}
		if a.pieces == nil {
			a.pieces = map[pieceKey]*pieces{}
		}
		p = &pieces{typ: typ, data: make([]byte, length), have: make([]bool, length), left: length}
		a.pieces[k] = p
	}
	if p.typ != typ || len(p.data) != length {
		return nil
	}
	p.n++
	copy(p.data[fragOff:], frag)
	for i := fragOff; i < fragOff+len(frag); i++ {
		if !p.have[i] {
			p.have[i] = true
			p.left--
		}
	}
	if p.left > 0 {
		return nil
	}
	delete(a.pieces, k)
	raw := make([]byte, handshakeHeaderLen, handshakeHeaderLen+length)
	raw[0] = typ
	raw[1], raw[2], raw[3] = byte(length>>16), byte(length>>8), byte(length)
	raw[4], raw[5] = byte(seq>>8), byte(seq)
	raw[9], raw[10], raw[11] = raw[1], raw[2], raw[3]
	raw = append(raw, p.data...)
	w := lab.Message{Dir: m.Dir, Raw: raw, Handshake: true, Ref: m.Ref, Summary: tls.HandshakeName(typ)}
	w.Fields = []lab.Field{{Name: "reassembled", Value: fmt.Sprintf("%s, put together from %d fragments (RFC 6347 §4.2.3)", w.Summary, p.n), Off: 0, Len: len(raw)},
		{Name: "handshake header", Value: fmt.Sprintf("type %d, length %d, message sequence %d", typ, length, seq), Off: 0, Len: handshakeHeaderLen}}
	a.handshake(&w, typ, p.data, handshakeHeaderLen, decrypted)
	return &w
}
