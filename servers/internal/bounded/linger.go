package bounded

import (
	"net"
	"time"
)

// LingerTime is how long Linger waits between the end of the answer and the
// close: enough for a client on the same machine or network to read it.
const LingerTime = 500 * time.Millisecond

// Linger is the end of a session refused at a bound, before the caller closes
// c: the client is most likely still sending, and closing a connection with
// unread input resets it, which can destroy the answer in the client's buffers
// before it reads it. Linger sends the end of data (FIN, or TLS's close_notify)
// and waits LingerTime, as net/http does, without reading more; it returns at
// once when c cannot half-close.
func Linger(c net.Conn) {
	cw, ok := c.(interface{ CloseWrite() error })
	if !ok || cw.CloseWrite() != nil {
		return
	}
	time.Sleep(LingerTime)
}
