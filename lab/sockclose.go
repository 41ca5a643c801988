package lab

import (
	"fmt"
	"net"
	"syscall"
)

// sockView is what the kernel says about a TCP socket just before the program
// closes it: enough to know what the close puts on the wire.
type sockView struct {
	State   string        // RFC 9293 state, "CLOSED" once the kernel has ended the connection
	Unread  int           // bytes received that the program has not read
	Linger0 bool          // SO_LINGER is on with a zero timeout
	Err     syscall.Errno // the socket's pending error (SO_ERROR), 0 if none
}

// viewSocket asks the kernel about c's socket; ok is false where it does not say
// (not Linux, not TCP).
func viewSocket(c net.Conn) (v sockView, ok bool) {
	tc := tcpConnOf(c)
	if tc == nil {
		return sockView{}, false
	}
	return viewTCPSocket(tc)
}

// closeOutcome is what closing a socket sends, as far as it can be known.
type closeOutcome struct {
	by  Side   // the endpoint that sent it
	how string // HowFIN, HowRST or HowClosed
	why string // the evidence, for CloseInfo.Err
}

// closeOutcomeOf works out what closing the socket of side sends, from the kernel's
// view v just before (known false: the kernel did not say). Linux sends a FIN when
// nothing is unread, and a RST instead when received bytes are unread (RFC 2525
// §2.17) or SO_LINGER is zero; a connection the kernel has already ended (a reset
// arrived) sends nothing.
func closeOutcomeOf(side Side, v sockView, known, aborted bool) closeOutcome {
	other := SideClient
	if side == SideClient {
		other = SideServer
	}
	switch {
	case known && (v.Err == syscall.ECONNRESET || v.Err == syscall.EPIPE):
		return closeOutcome{other, HowRST, fmt.Sprintf("the %s's kernel had received a reset before the "+
			"%[1]s closed its socket (pending error: %v); the close sent nothing", side, v.Err)}
	case known && v.State == "CLOSED":
		return closeOutcome{side, HowClosed, fmt.Sprintf("the %s's kernel had already ended the connection; "+
			"the close sent nothing", side)}
	case aborted || (known && v.Linger0):
		return closeOutcome{side, HowRST, fmt.Sprintf("the %s closed its socket with SO_LINGER set to zero, "+
			"which resets the connection", side)}
	case known && v.Unread > 0:
		return closeOutcome{side, HowRST, fmt.Sprintf("the %s closed its socket with %s it had not read; "+
			"the kernel answers that with a reset instead of a FIN (RFC 2525 §2.17)", side, plural(v.Unread, "byte"))}
	case known:
		return closeOutcome{side, HowFIN, ""}
	}
	return closeOutcome{side, HowClosed, fmt.Sprintf("the %s's socket closed; this system does not say "+
		"whether it sent a FIN or a RST", side)}
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
