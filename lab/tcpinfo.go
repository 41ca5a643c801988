package lab

import (
	"fmt"
	"net"
	"strings"
	"time"
)

// TCPInfo is the kernel's own view of a TCP connection (Linux TCP_INFO): its RFC 9293
// state, round-trip time, and what the three-way handshake negotiated.
type TCPInfo struct {
	State         string        // "ESTABLISHED", "CLOSE-WAIT", ...
	RTT           time.Duration // smoothed round-trip time
	RTTVar        time.Duration
	SndMSS        int // maximum segment size we send
	RcvMSS        int // maximum segment size the peer sends (as estimated)
	SACK          bool
	Timestamps    bool
	WindowScaling bool
	SndWScale     int // shift count we apply to windows we receive (peer's announced scale)
	RcvWScale     int // shift count the peer applies to our windows
	ECN           bool
	Retransmits   int // total retransmitted segments
	SndCwnd       int // congestion window, in segments
	Unacked       int // segments sent but not yet acknowledged
}

// FieldKernelState names the field of TCPInfo.Fields that holds the state.
const FieldKernelState = "kernel state"

// Fields lists the info as inspector fields.
func (t *TCPInfo) Fields() []Field {
	if t == nil {
		return nil
	}
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	ws := "not used"
	if t.WindowScaling {
		ws = fmt.Sprintf("send ×2^%d, receive ×2^%d", t.SndWScale, t.RcvWScale)
	}
	return []Field{
		{Name: FieldKernelState, Value: t.State},
		{Name: "RTT", Value: fmt.Sprintf("%v (±%v)", t.RTT, t.RTTVar)},
		{Name: "MSS", Value: fmt.Sprintf("send %d, receive %d bytes", t.SndMSS, t.RcvMSS)},
		{Name: "SACK permitted", Value: yes(t.SACK)},
		{Name: "timestamps", Value: yes(t.Timestamps)},
		{Name: "window scale", Value: ws},
		{Name: "ECN", Value: yes(t.ECN)},
		{Name: "retransmits", Value: fmt.Sprint(t.Retransmits)},
		{Name: "congestion window", Value: fmt.Sprintf("%d segments", t.SndCwnd)},
	}
}

// String is a one-line summary: "ESTABLISHED rtt 45µs mss 32741 sack ts wscale 7/7".
func (t *TCPInfo) String() string {
	if t == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s rtt %v mss %d", t.State, t.RTT, t.SndMSS)
	if t.SACK {
		b.WriteString(" sack")
	}
	if t.Timestamps {
		b.WriteString(" ts")
	}
	if t.WindowScaling {
		fmt.Fprintf(&b, " wscale %d/%d", t.SndWScale, t.RcvWScale)
	}
	return b.String()
}

// tcpStates maps Linux's TCP_* state numbers to RFC 9293's names.
var tcpStates = [...]string{
	1:  "ESTABLISHED",
	2:  "SYN-SENT",
	3:  "SYN-RECEIVED",
	4:  "FIN-WAIT-1",
	5:  "FIN-WAIT-2",
	6:  "TIME-WAIT",
	7:  "CLOSED",
	8:  "CLOSE-WAIT",
	9:  "LAST-ACK",
	10: "LISTEN",
	11: "CLOSING",
}

func tcpStateName(n uint8) string {
	if int(n) < len(tcpStates) && tcpStates[n] != "" {
		return tcpStates[n]
	}
	return fmt.Sprintf("state %d", n)
}

// ReadTCPInfo asks the kernel about c. It returns nil where the system does not say
// (not Linux, not TCP, or the socket is gone).
func ReadTCPInfo(c net.Conn) *TCPInfo {
	tc := tcpConnOf(c)
	if tc == nil {
		return nil
	}
	return readTCPInfo(tc)
}

// tcpConnOf unwraps c down to its TCP socket; nil if it has none.
func tcpConnOf(c net.Conn) *net.TCPConn {
	for {
		u, ok := c.(interface{ Unwrap() net.Conn })
		if !ok {
			break
		}
		c = u.Unwrap()
	}
	tc, _ := c.(*net.TCPConn)
	return tc
}
