package lab

import (
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

func viewTCPSocket(c *net.TCPConn) (v sockView, ok bool) {
	rc, err := c.SyscallConn()
	if err != nil {
		return sockView{}, false
	}
	_ = rc.Control(func(fd uintptr) {
		ti, err := unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
		if err != nil {
			return
		}
		v.State = tcpStateName(ti.State)
		if n, err := unix.IoctlGetInt(int(fd), unix.SIOCINQ); err == nil {
			v.Unread = n
		}
		if l, err := unix.GetsockoptLinger(int(fd), unix.SOL_SOCKET, unix.SO_LINGER); err == nil {
			v.Linger0 = l.Onoff != 0 && l.Linger == 0
		}
		// Reading SO_ERROR clears it; the socket is about to close.
		if e, err := unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_ERROR); err == nil {
			v.Err = syscall.Errno(e)
		}
		ok = true
	})
	return v, ok
}
