// Package lines frames the CRLF-ended lines of the text protocols (FTP, POP3,
// SMTP, IMAP; RFC 5234's CRLF): a Buffer holds one direction's unfinished line,
// up to a bound, and skips the rest of a line that outgrows it, and Overlong and
// Unended describe those two faults to a person in the lab's words.
package lines

import (
	"bytes"
	"fmt"

	"github.com/protocollab/protolab/lab"
)

// Buffer is one direction's input that does not yet make a whole frame. The
// zero Buffer is empty. Like the analyzers that hold it, it is used from one
// goroutine at a time.
type Buffer struct {
	held []byte
	skip bool // dropping the rest of an overlong line
}

// Feed frames the bytes held from before followed by b. frame is called with
// the unframed bytes and returns how many it framed at their start (0: it needs
// more) and whether framing stops after them (what follows is another
// protocol's: TLS after STARTTLS). Unframed bytes are held for the next Feed, up
// to max; past it they are dropped up to the next line feed.
//
// rest is what follows a stop, for the caller to pass on; long is the start of
// the line that outgrew max, non-nil when Feed began skipping it, for Overlong.
func (h *Buffer) Feed(b []byte, max int, frame func(data []byte) (n int, stop bool)) (rest, long []byte) {
	data := b[:len(b):len(b)] // appending later must copy, not write past b
	if len(h.held) > 0 {
		data = append(h.held, b...)
	}
	h.held = nil
	for len(data) > 0 {
		if h.skip {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				return nil, nil
			}
			data, h.skip = data[i+1:], false
			continue
		}
		n, stop := frame(data)
		if n == 0 {
			if len(data) > max {
				h.skip = true
				return nil, data
			}
			h.held = data
			return nil, nil
		}
		data = data[n:]
		if stop {
			return data, nil
		}
	}
	return nil, nil
}

// Held is how many bytes the Buffer holds.
func (h *Buffer) Held() int { return len(h.held) }

// Take returns the held bytes and empties the Buffer: at the connection's end,
// for Unended.
func (h *Buffer) Take() []byte {
	b := h.held
	h.held = nil
	return b
}

// Overlong is the message for a line longer than max bytes that went in
// direction dir, data its start: meaning says why the protocol's lines are short,
// ref where its RFC bounds them.
func Overlong(dir lab.Dir, data []byte, max int, meaning, ref string) lab.Message {
	return lab.Message{
		Dir:      dir,
		Summary:  fmt.Sprintf("a line longer than %d bytes", max),
		Meaning:  meaning,
		Ref:      ref,
		Raw:      data[:min(len(data), 256)],
		Observed: true,
	}
}

// Unended is the message for the bytes raw left without a line ending in
// direction dir when the connection ended; meaning and ref say where the
// protocol's RFC wants every line ended with CRLF.
func Unended(dir lab.Dir, raw []byte, meaning, ref string) lab.Message {
	return lab.Message{
		Dir:      dir,
		Summary:  fmt.Sprintf("%d bytes without a line ending", len(raw)),
		Meaning:  meaning,
		Ref:      ref,
		Raw:      raw,
		Observed: true,
	}
}
