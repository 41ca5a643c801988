package swarm

import (
	"crypto/sha256"
	"errors"
	"fmt"
)

// DefaultPieceSize is a piece's size when Meta leaves it out.
const DefaultPieceSize = 256 << 10

// BlockSize is the size of the blocks a piece crosses a channel in: every
// WebRTC stack takes messages of 16 KiB (RFC 8831 §6.6).
const BlockSize = 16 << 10

// Meta describes the file a swarm shares, as BitTorrent's metainfo does.
type Meta struct {
	Name      string
	Size      int64
	PieceSize int        // bytes in each piece but the last
	Hashes    [][32]byte // each piece's SHA-256
}

// NewMeta describes data as the file name, in pieces of pieceSize bytes
// (zero means DefaultPieceSize).
func NewMeta(name string, data []byte, pieceSize int) Meta {
	if pieceSize <= 0 {
		pieceSize = DefaultPieceSize
	}
	m := Meta{Name: name, Size: int64(len(data)), PieceSize: pieceSize}
	for off := 0; off < len(data); off += pieceSize {
		m.Hashes = append(m.Hashes, sha256.Sum256(data[off:min(off+pieceSize, len(data))]))
	}
	return m
}

// Pieces is the number of pieces.
func (m Meta) Pieces() int { return len(m.Hashes) }

// span is piece i's first byte and length.
func (m Meta) span(i int) (int64, int) {
	off := int64(i) * int64(m.PieceSize)
	return off, int(min(int64(m.PieceSize), m.Size-off))
}

// check says what is wrong with m, and with data if it is given (a seed).
func (m Meta) check(data []byte) error {
	switch {
	case m.Size <= 0 || m.PieceSize <= 0:
		return errors.New("swarm: the file's size and piece size must be positive")
	case int64(m.Pieces()) != (m.Size+int64(m.PieceSize)-1)/int64(m.PieceSize):
		return fmt.Errorf("swarm: %d piece hashes for %d bytes in pieces of %d", m.Pieces(), m.Size, m.PieceSize)
	case m.PieceSize%BlockSize != 0:
		return fmt.Errorf("swarm: a piece size of %d is not a multiple of the block size %d", m.PieceSize, BlockSize)
	case data != nil && int64(len(data)) != m.Size:
		return fmt.Errorf("swarm: the seed has %d bytes, the file %d", len(data), m.Size)
	}
	if data != nil {
		for i := range m.Hashes {
			off, n := m.span(i)
			if sha256.Sum256(data[off:off+int64(n)]) != m.Hashes[i] {
				return fmt.Errorf("swarm: the seed's piece %d does not match its hash", i)
			}
		}
	}
	return nil
}
