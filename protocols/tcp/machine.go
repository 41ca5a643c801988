package tcp

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

// next is the state an endpoint in state st is in after it sent (received false) or
// received seg. A reset ends the connection from any state; any other segment that
// the figure does not draw from st leaves it as it is.
func next(st string, seg segment, received bool) string {
	if seg == segRST {
		if st == "" {
			return ""
		}
		return StateClosed
	}
	for _, r := range rules {
		if r.seg == seg && r.received == received && r.from == st {
			return r.to
		}
	}
	return st
}
