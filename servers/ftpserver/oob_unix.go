//go:build unix

package ftpserver

import (
	"net"
	"syscall"
)

// setOOBInline keeps TCP urgent data in the normal stream: clients send ABOR's
// Telnet "synch" (IAC IP IAC DM) with the urgent flag, and without SO_OOBINLINE
// the kernel would take the urgent byte out of the command line.
func setOOBInline(c net.Conn) {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return
	}
	raw.Control(func(fd uintptr) {
		syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_OOBINLINE, 1)
	})
}
