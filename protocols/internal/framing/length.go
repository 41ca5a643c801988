package framing

import (
	"errors"
	"fmt"
)

// Errors a Size made by this package reports.
var (
	ErrTooLong   = errors.New("framing: a frame longer than the protocol allows")
	ErrBadLength = errors.New("framing: a length field no frame can have")
)

// Size says how long the frame at the start of data is, its header included: n
// > 0 once data holds enough of the header to tell (data may hold less than the
// whole frame), 0 while it does not, or an error when the bytes cannot begin a
// frame. A Size bounds what Length holds: it must tell a frame's length once
// data holds its whole header, and no frame it admits may be larger than the
// protocol allows.
type Size func(data []byte) (n int, err error)

// Length is one direction's input of a length-prefixed binary protocol that does
// not yet make a whole frame. The zero Length is empty.
type Length struct {
	holding
}

// Feed frames the bytes held from before followed by b: size tells how long each
// frame is, and frame is called with each whole frame in order (appending to it
// copies; it may keep it). frame returns true to stop framing: Feed then returns
// the bytes after that frame as rest, unframed. When size reports an error, Feed
// returns it with the unframed bytes from the start of the frame it was about
// (rest), for the caller to report them and decide what comes next (SSH stops
// reading that direction). The bytes of an unfinished frame are held for the
// next Feed.
func (l *Length) Feed(b []byte, size Size, frame func(p []byte) (stop bool)) (rest []byte, err error) {
	data := l.join(b)
	for len(data) > 0 {
		n, err := size(data)
		if err != nil {
			return data, err
		}
		if n == 0 || n > len(data) {
			l.held = data
			return nil, nil
		}
		p := data[:n:n]
		data = data[n:]
		if frame(p) {
			return data, nil
		}
	}
	return nil, nil
}

// BigEndian is the Size of frames whose length is a big-endian unsigned number
// of width bytes (1 to 4) at offset off. A frame is off+width+length+adjust
// bytes: adjust adds what the length leaves out of the header, or, negative,
// takes away what it counts of it (PostgreSQL's length counts its own 4 bytes:
// BigEndian(1, 4, -4, max)). A frame of more than max bytes is ErrTooLong; one
// shorter than its own length field is ErrBadLength.
func BigEndian(off, width, adjust, max int) Size {
	if width < 1 || width > 4 || off < 0 {
		panic(fmt.Sprintf("framing: BigEndian(%d, %d, ...): the length is 1 to 4 bytes at an offset of 0 or more", off, width))
	}
	return func(data []byte) (int, error) {
		if len(data) < off+width {
			return 0, nil
		}
		v := 0
		for _, c := range data[off : off+width] {
			v = v<<8 | int(c)
		}
		n := off + width + v + adjust
		switch {
		case n < off+width:
			return 0, fmt.Errorf("%w: length %d", ErrBadLength, v)
		case n > max:
			return 0, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLong, n, max)
		}
		return n, nil
	}
}

// VariableLength is the Size of frames whose length is a variable byte integer
// at offset off, as MQTT's fixed header carries its remaining length after the
// packet type byte (MQTT 5.0 §1.5.5, 3.1.1 §2.2.3): seven bits a byte, least
// significant first, the high bit set while more bytes follow, four bytes at
// most. A frame is off + the integer's bytes + its value; one of more than max
// bytes is ErrTooLong, an integer of more than four bytes ErrBadLength.
func VariableLength(off, max int) Size {
	return func(data []byte) (int, error) {
		v := 0
		for i := 0; i < 4; i++ {
			if len(data) <= off+i {
				return 0, nil
			}
			c := data[off+i]
			v |= int(c&0x7f) << (7 * i)
			if c&0x80 == 0 {
				n := off + i + 1 + v
				if n > max {
					return 0, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLong, n, max)
				}
				return n, nil
			}
		}
		return 0, fmt.Errorf("%w: a variable byte integer of more than 4 bytes", ErrBadLength)
	}
}
