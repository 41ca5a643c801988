package tcp

import "github.com/protocollab/protolab/lab"

// segment is the kind of TCP segment a step of the connection's life stands for.
type segment uint8

const (
	segSYN    segment = iota + 1
	segSYNACK         // SYN with ACK: the answer to a SYN
	segACK            // a bare acknowledgment (of a SYN or of a FIN)
	segFIN
	segRST
)

var segmentNames = [...]string{segSYN: "SYN", segSYNACK: "SYN-ACK", segACK: "ACK", segFIN: "FIN", segRST: "RST"}

func (s segment) String() string { return segmentNames[s] }

// flags are the control bits the segment carries. Every segment after the first SYN
// also acknowledges what it has received.
func (s segment) flags() string {
	switch s {
	case segSYNACK:
		return "SYN, ACK"
	case segFIN:
		return "FIN, ACK"
	}
	return s.String()
}

// rule says that an endpoint in state from that sends (or receives) seg moves to to,
// as RFC 9293 Figure 5 draws it.
type rule struct {
	seg      segment
	received bool
	from, to string
}

var rules = []rule{
	{segSYN, false, StateClosed, StateSynSent},
	{segSYN, true, StateListen, StateSynReceived},
	{segSYN, true, StateSynSent, StateSynReceived},
	{segSYNACK, true, StateSynSent, StateEstablished},
	{segACK, true, StateSynReceived, StateEstablished},
	{segFIN, false, StateEstablished, StateFinWait1},
	{segFIN, false, StateSynReceived, StateFinWait1},
	{segFIN, false, StateCloseWait, StateLastAck},
	{segFIN, true, StateEstablished, StateCloseWait},
	{segFIN, true, StateFinWait1, StateClosing},
	{segFIN, true, StateFinWait2, StateTimeWait},
	{segACK, true, StateFinWait1, StateFinWait2},
	{segACK, true, StateClosing, StateTimeWait},
	{segACK, true, StateLastAck, StateClosed},
}

// move moves endpoint ep by seg, which it sent (received false) or received,
// along the arrow RFC 9293 Figure 5 draws for seg from its state. A reset ends
// the connection from any state (§3.10.7.4), an arrow the figure does not draw;
// any other segment that the figure does not draw from ep's state leaves it as it is.
func move(ep *lab.Machine, seg segment, received bool) {
	if seg == segRST {
		if ep.State() != "" {
			ep.Set(StateClosed)
		}
		return
	}
	for _, r := range rules {
		if r.seg == seg && r.received == received && r.from == ep.State() {
			ep.Move(nil, r.to)
			return
		}
	}
}
