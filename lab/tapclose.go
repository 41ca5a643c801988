package lab

import (
	"net"
	"syscall"
	"time"
)

// closeSteps records what closing c puts on the wire, and what arrived that the
// program never read to (a FIN, a reset), in the order the wire has them.
//
// The kernel is asked just before the close (viewSocket, closeOutcomeOf). A
// segment that arrives between that look and the close would change what the
// close sends, unseen: the peer's FIN, bytes (a RST instead of a FIN), or the
// peer's RST (nothing at all). So where the close would send a FIN, the tap
// sends it first, with a half-close, which is what the close would do, and then
// asks again: the peer's FIN, before or after its own (LAST-ACK, CLOSING or
// TIME-WAIT), or the peer's reset (the half-close fails, or a pending error) are
// then known. What arrives in the instant between that second look and the
// close is left unseen.
func (c *tapConn) closeSteps() {
	v, known := viewSocket(c.Conn)
	switch {
	case known && v.State == "CLOSE-WAIT":
		c.peerFIN("it had arrived, unread, when the " + c.side.String() + " closed its socket (the kernel's state was CLOSE-WAIT)")
	case known && v.Err == syscall.EPIPE:
		// Linux reports a reset that came after the peer's FIN as a broken pipe:
		// the FIN came first.
		c.peerFIN("it had arrived, unread, before the peer's reset (the kernel reports a reset after a FIN as a broken pipe)")
	}
	o := closeOutcomeOf(c.side, v, known, c.aborted.Load())
	tc := tcpConnOf(c.Conn)
	if !known || o.how != HowFIN || o.by != c.side || tc == nil {
		c.conv.closeStep(c.side, o.by, o.how, o.why)
		return
	}
	sent := time.Now() // the FIN leaves now; it is recorded once the kernel is asked again
	if err := tc.CloseWrite(); err != nil {
		// The connection ended between the look and the half-close: a reset.
		v, known = viewSocket(c.Conn)
		o = closeOutcomeOf(c.side, v, known, false)
		if o.how == HowFIN { // the kernel does not say why: the half-close failed
			o = closeOutcome{c.peer(), HowRST, "the connection was reset as the " + c.side.String() + " closed its socket"}
		}
		c.conv.closeStep(c.side, o.by, o.how, o.why)
		return
	}
	// Ask at once: on loopback the peer acknowledges the FIN within
	// microseconds, and a LAST-ACK (its FIN came first) becomes CLOSED, which
	// says less. What arrived meanwhile is recorded after.
	after, ok := viewSocket(c.Conn)
	c.catchUp()
	switch {
	case ok && (after.Err == syscall.ECONNRESET || after.Err == syscall.EPIPE):
		c.conv.closeStepAt(sent, c.side, c.side, HowFIN, o.why)
		c.conv.closeStep(c.side, c.peer(), HowRST, "it arrived after the "+c.side.String()+"'s FIN, before its socket closed")
	case ok && after.State == "CLOSED" && c.peerReset():
		c.conv.closeStepAt(sent, c.side, c.side, HowFIN, o.why)
		c.conv.closeStep(c.side, c.peer(), HowRST, "it arrived after the "+c.side.String()+"'s FIN, before its socket closed")
	case ok && after.State == "CLOSED":
		// Gone at once: on loopback the peer's kernel answers within the
		// half-close. Without a reset, both FINs are out and acknowledged, and
		// the kernel's TIME-WAIT entry says whose came first: this end's if it
		// has one (the peer's FIN came after), the peer's if not (LAST-ACK).
		local, _ := tc.LocalAddr().(*net.TCPAddr)
		remote, _ := tc.RemoteAddr().(*net.TCPAddr)
		tw, told := false, false
		if local != nil && remote != nil {
			tw, told = inTimeWait(local, remote)
		}
		switch {
		case told && tw:
			c.conv.closeStepAt(sent, c.side, c.side, HowFIN, o.why)
			c.peerFIN("it arrived after the " + c.side.String() + "'s FIN, before its socket closed")
		case told:
			c.conv.closeStepAt(sent, c.side, c.peer(), HowFIN, "it arrived as the "+c.side.String()+" closed its socket")
			c.conv.closeStepAt(sent, c.side, c.side, HowFIN, o.why)
		default:
			c.conv.closeStepAt(sent, c.side, c.side, HowFIN, o.why)
		}
	case ok && after.State == "LAST-ACK":
		// The peer's FIN came between the look and the half-close, before ours.
		c.conv.closeStepAt(sent, c.side, c.peer(), HowFIN, "it arrived as the "+c.side.String()+" closed its socket")
		c.conv.closeStepAt(sent, c.side, c.side, HowFIN, o.why)
	case ok && (after.State == "CLOSING" || after.State == "TIME-WAIT"):
		c.conv.closeStepAt(sent, c.side, c.side, HowFIN, o.why)
		c.peerFIN("it arrived after the " + c.side.String() + "'s FIN, before its socket closed")
	default:
		c.conv.closeStepAt(sent, c.side, c.side, HowFIN, o.why)
	}
	// Bytes that arrive after the FIN and are still unread at the close make it
	// a reset too, unless a read takes them first: which comes first is not known
	// here, so no reset is drawn for them (the peer's tap, if in the lab, sees it).
}

// peerReset reports whether the connection, gone (CLOSED) with no error left
// for the close to find, was reset: a reading goroutine took the error. A read
// under way is given a moment to come back with what it met.
func (c *tapConn) peerReset() bool {
	for end := time.Now().Add(5 * time.Millisecond); c.reading.Load() > 0 && time.Now().Before(end); {
		time.Sleep(50 * time.Microsecond)
	}
	return c.readReset.Load()
}

// peerFIN records the peer's FIN, which the program did not read to; why says
// how the tap knows.
func (c *tapConn) peerFIN(why string) {
	c.conv.closeStep(c.side, c.peer(), HowFIN, why)
}
