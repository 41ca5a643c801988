package framing

import (
	"bytes"
	"fmt"

	"github.com/protocollab/protolab/lab"
)

// Then says how Lines.Feed goes on after a frame function framed n bytes.
type Then uint8

const (
	// Go frames on. With n 0 the bytes make no whole frame yet: they wait for
	// more, up to the bound, or for what the protocol waits for (SMTP holds the
	// client's bytes after DATA until the reply says how they are framed).
	Go Then = iota
	// Stop ends framing after the n bytes: what follows is another protocol's
	// (TLS after STARTTLS), and Feed returns it to the caller.
	Stop
	// Skip drops the bytes after the n and the rest of the line they end in:
	// the frame function has reported them (a line too long for its parser).
	Skip
)

// Lines is one direction's input that does not yet make a whole frame. The zero
// Lines is empty.
type Lines struct {
	holding
	skip bool // dropping the rest of an overlong line
}

// Feed frames the bytes held from before followed by b. frame is called with the
// unframed bytes and returns how many it framed at their start and how framing
// goes on (Then). Unframed bytes are held for the next Feed, up to max; past it
// they are dropped up to the next line feed.
//
// rest is what follows a Stop, for the caller to pass on; long is the start of
// the line that outgrew max, non-nil when Feed began skipping it, for Overlong.
func (h *Lines) Feed(b []byte, max int, frame func(data []byte) (n int, then Then)) (rest, long []byte) {
	data := h.join(b)
	for len(data) > 0 {
		if h.skip {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				return nil, nil
			}
			data, h.skip = data[i+1:], false
			continue
		}
		n, then := frame(data)
		switch {
		case then == Skip:
			h.skip = true
			return nil, nil
		case n == 0:
			if len(data) > max {
				h.skip = true
				return nil, data
			}
			h.held = data
			return nil, nil
		}
		data = data[n:]
		if then == Stop {
			return data, nil
		}
	}
	return nil, nil
}

// Overlong adds to out the message for a line longer than max bytes that went in
// direction dir, long its start as Lines.Feed returned it; nil long adds nothing.
// meaning says why the protocol's lines are short, ref where its RFC bounds them.
func Overlong(out []lab.Message, dir lab.Dir, long []byte, max int, meaning, ref string) []lab.Message {
	if long == nil {
		return out
	}
	return append(out, lab.Message{
		Dir:      dir,
		Summary:  fmt.Sprintf("a line longer than %d bytes", max),
		Meaning:  meaning,
		Ref:      ref,
		Raw:      long[:min(len(long), 256)],
		Observed: true,
	})
}

// Unended empties both directions of bufs (indexed by lab.Dir) at the
// connection's end, and adds to out a message for the bytes each held without a
// line ending; meaning and ref say where the protocol's RFC wants every line
// ended with CRLF.
func Unended(out []lab.Message, bufs *[3]Lines, meaning, ref string) []lab.Message {
	for d := lab.ClientToServer; d <= lab.ServerToClient; d++ {
		if raw := bufs[d].Take(); len(raw) > 0 {
			out = append(out, lab.Message{
				Dir:      d,
				Summary:  fmt.Sprintf("%d bytes without a line ending", len(raw)),
				Meaning:  meaning,
				Ref:      ref,
				Raw:      raw,
				Observed: true,
			})
		}
	}
	return out
}

// StopIf is Stop if stop is true, otherwise Go: a frame function's verdict when
// framing ends with a handoff (the TLS after STARTTLS).
func StopIf(stop bool) Then {
	if stop {
		return Stop
	}
	return Go
}
