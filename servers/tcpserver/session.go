package tcpserver

import (
	"net"
	"sync"
)

// session is one accepted connection.
type session struct {
	srv  *Server
	conn net.Conn

	closeOnce sync.Once
}

// close closes the connection once; later calls do nothing.
func (ss *session) close() {
	ss.closeOnce.Do(func() { ss.conn.Close() })
}

// echo sends back every byte it reads until the client closes or resets, then
// closes its side. It copies through its own buffer rather than io.Copy, so that a
// tapped and an untapped connection do the same work (io.Copy would splice an
// untapped one inside the kernel).
func (ss *session) echo() {
	buf := make([]byte, 32<<10)
	for {
		n, err := ss.conn.Read(buf)
		if n > 0 {
			if _, werr := ss.conn.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
