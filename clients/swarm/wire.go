package swarm

import (
	"encoding/binary"
	"errors"
)

// Message kinds (see the package doc).
const (
	kindBitfield = 'B'
	kindHave     = 'H'
	kindRequest  = 'R'
	kindPiece    = 'P'
)

// msg is one decoded message.
type msg struct {
	kind  byte
	index int
	off   int
	data  []byte // a bitfield's bytes, a block's bytes
}

func encodeIndex(kind byte, index int) []byte {
	b := []byte{kind, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[1:], uint32(index))
	return b
}

func encodeBlock(index, off int, data []byte) []byte {
	b := make([]byte, 9, 9+len(data))
	b[0] = kindPiece
	binary.BigEndian.PutUint32(b[1:], uint32(index))
	binary.BigEndian.PutUint32(b[5:], uint32(off))
	return append(b, data...)
}

func encodeBitfield(have []bool) []byte {
	b := make([]byte, 1+(len(have)+7)/8)
	b[0] = kindBitfield
	for i, h := range have {
		if h {
			b[1+i/8] |= 0x80 >> (i % 8)
		}
	}
	return b
}

// bits reads a bitfield of n pieces.
func bits(b []byte, n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = i/8 < len(b) && b[i/8]&(0x80>>(i%8)) != 0
	}
	return out
}

var errShort = errors.New("swarm: a message too short for its kind")

func decode(b []byte) (msg, error) {
	if len(b) == 0 {
		return msg{}, errShort
	}
	m := msg{kind: b[0]}
	switch m.kind {
	case kindBitfield:
		m.data = b[1:]
	case kindHave, kindRequest:
		if len(b) != 5 {
			return m, errShort
		}
		m.index = int(binary.BigEndian.Uint32(b[1:]))
	case kindPiece:
		if len(b) < 9 {
			return m, errShort
		}
		m.index = int(binary.BigEndian.Uint32(b[1:]))
		m.off = int(binary.BigEndian.Uint32(b[5:]))
		m.data = b[9:]
	default:
		return m, errors.New("swarm: unknown message kind")
	}
	return m, nil
}
