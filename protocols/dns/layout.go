package dns

import "encoding/binary"

// place is where one question or resource record lies in a message: from start
// to end, its name taking the first name bytes.
type place struct{ start, name, end int }

// places are a message's questions then records, in wire order.
type places []place

// get returns place i, or a zero place when the layout is unknown.
func (p places) get(i int) place {
	if i < len(p) {
		return p[i]
	}
	return place{}
}

// layout walks msg (RFC 1035 §4.1) to find where its nq questions and nr
// records lie, or returns nil if they do not lie as counted.
func layout(msg []byte, nq, nr int) places {
	if len(msg) < 12 {
		return nil
	}
	out := make(places, 0, nq+nr)
	off := 12
	for i := range nq + nr {
		end := skipName(msg, off)
		if end < 0 {
			return nil
		}
		p := place{start: off, name: end - off}
		if i < nq {
			end += 4
		} else {
			if end+10 > len(msg) {
				return nil
			}
			end += 10 + int(binary.BigEndian.Uint16(msg[end+8:]))
		}
		if end > len(msg) {
			return nil
		}
		p.end = end
		out = append(out, p)
		off = end
	}
	return out
}

// skipName returns the offset just past the name at off in msg (its labels, then
// a zero byte or a two-byte compression pointer, RFC 1035 §4.1.4), or -1.
func skipName(msg []byte, off int) int {
	for off < len(msg) {
		c := msg[off]
		switch c & 0xc0 {
		case 0x00:
			if c == 0 {
				return off + 1
			}
			off += 1 + int(c)
		case 0xc0:
			if off+2 > len(msg) {
				return -1
			}
			return off + 2
		default:
			return -1
		}
	}
	return -1
}
