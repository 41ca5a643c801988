package websocket

import "github.com/protocollab/protolab/lab"

// A WebSocket whose handshake agreed on a subprotocol (RFC 6455 §1.9) carries
// that protocol's bytes in its data frames: MQTT over WebSockets, for one, sends
// its packets as a byte stream cut into binary frames however the sender likes.
// The session finds the subprotocol's layer in its table (lab.Subprotocol) and
// feeds it each direction's data payloads, unmasked, in order, as they arrive;
// the layer's messages follow the frame that completed them (of a frame so long
// that more than maxCarried wait, they go on as they come). Compressed messages
// (permessage-deflate) are not inflated, so they are not carried.

// maxCarried bounds the subprotocol's messages waiting for their frame's end.
const maxCarried = 256

const carryFailed = "The analyzer of the subprotocol inside this WebSocket hit a bug; the lab shows the rest of the frames without it."

// carry feeds the subprotocol's layer b, bytes of the payload of the frame d is
// reading (already counted in d.f.got).
func (fr *frames) carry(d *direction, b []byte) {
	sub := &fr.s.sub
	if sub.Analyzer == nil || !d.f.data || d.msg.compressed || len(b) == 0 {
		return
	}
	if d.f.masked {
		b = append([]byte(nil), b...)
		off := d.f.got - uint64(len(b))
		for i := range b {
			b[i] ^= d.f.key[(off+uint64(i))&3]
		}
	}
	in, dir, at := sub.Analyzer, d.dir, fr.at
	fr.carried = append(fr.carried, sub.Lift(sub.Call(carryFailed, func() []lab.Message { return in.Feed(dir, b, at) }))...)
}

// takeCarried appends the subprotocol's waiting messages to out.
func (fr *frames) takeCarried(out []lab.Message) []lab.Message {
	if len(fr.carried) == 0 {
		return out
	}
	out = append(out, fr.carried...)
	fr.carried = nil
	return out
}

// closeCarried tells the subprotocol's layer that the connection ended.
func (s *session) closeCarried(info lab.CloseInfo) []lab.Message {
	ca, ok := s.sub.Analyzer.(lab.ConnAnalyzer)
	if !ok {
		return nil
	}
	return s.sub.Lift(s.sub.Call(carryFailed, func() []lab.Message { return ca.Closed(info) }))
}
