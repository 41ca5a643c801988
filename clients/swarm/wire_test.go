package swarm

import (
	"bytes"
	"slices"
	"testing"
)

// TestWireRoundTrip: each kind of message decodes as it was encoded.
func TestWireRoundTrip(t *testing.T) {
	have := []bool{true, false, true, true, false, false, false, true, true}
	m, err := decode(encodeBitfield(have))
	if err != nil || m.kind != kindBitfield || !slices.Equal(bits(m.data, len(have)), have) {
		t.Errorf("bitfield: %+v, %v", m, err)
	}
	for _, kind := range []byte{kindHave, kindRequest} {
		if m, err := decode(encodeIndex(kind, 70000)); err != nil || m.kind != kind || m.index != 70000 {
			t.Errorf("%c: %+v, %v", kind, m, err)
		}
	}
	block := []byte("some bytes of a piece")
	if m, err := decode(encodeBlock(3, BlockSize, block)); err != nil || m.index != 3 || m.off != BlockSize || !bytes.Equal(m.data, block) {
		t.Errorf("piece: %+v, %v", m, err)
	}
	for _, bad := range [][]byte{nil, {kindHave}, {kindRequest, 0, 0, 0, 0, 0}, {kindPiece, 0, 0, 0, 0}, {'Z'}} {
		if _, err := decode(bad); err == nil {
			t.Errorf("decode(%q) took it", bad)
		}
	}
}

// FuzzDecode: no message crashes the decoder, and what it takes
// re-encodes to the same bytes.
func FuzzDecode(f *testing.F) {
	f.Add(encodeBitfield([]bool{true, false, true}))
	f.Add(encodeIndex(kindHave, 1))
	f.Add(encodeIndex(kindRequest, 2))
	f.Add(encodeBlock(1, 0, []byte("x")))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decode(b)
		if err != nil {
			return
		}
		var again []byte
		switch m.kind {
		case kindBitfield:
			again = append([]byte{kindBitfield}, m.data...)
		case kindHave, kindRequest:
			again = encodeIndex(m.kind, m.index)
		case kindPiece:
			again = encodeBlock(m.index, m.off, m.data)
		}
		if !bytes.Equal(again, b) {
			t.Errorf("decode(%x) = %+v, which encodes as %x", b, m, again)
		}
	})
}
