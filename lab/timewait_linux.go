package lab

import (
	"encoding/binary"
	"net"

	"golang.org/x/sys/unix"
)

// inTimeWait asks the kernel (sock_diag, the interface ss uses) whether the
// connection from local to remote is in TIME-WAIT: whether this end closed first
// and then received the peer's FIN. A socket the program still holds reports
// CLOSED once it is, as it does after LAST-ACK, when the peer's FIN came first;
// the kernel's TIME-WAIT entry for the four-tuple tells the two apart. ok is false
// where the kernel does not say.
func inTimeWait(local, remote *net.TCPAddr) (tw, ok bool) {
	family, src, dst := addrs16(local.IP, remote.IP)
	if family == 0 {
		return false, false
	}
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return false, false
	}
	defer unix.Close(fd)
	tv := unix.Timeval{Usec: 100_000}
	unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)

	const hdrLen, reqLen = 16, 56
	msg := make([]byte, hdrLen+reqLen)
	ne := binary.NativeEndian
	ne.PutUint32(msg[0:], uint32(len(msg)))
	ne.PutUint16(msg[4:], unix.SOCK_DIAG_BY_FAMILY)
	ne.PutUint16(msg[6:], unix.NLM_F_REQUEST)
	ne.PutUint32(msg[8:], 1) // sequence
	r := msg[hdrLen:]
	r[0], r[1] = family, unix.IPPROTO_TCP
	ne.PutUint32(r[4:], 1<<unix.BPF_TCP_TIME_WAIT)
	id := r[8:]
	binary.BigEndian.PutUint16(id[0:], uint16(local.Port))
	binary.BigEndian.PutUint16(id[2:], uint16(remote.Port))
	copy(id[4:20], src)
	copy(id[20:36], dst)
	ne.PutUint32(id[40:], ^uint32(0)) // INET_DIAG_NOCOOKIE
	ne.PutUint32(id[44:], ^uint32(0))
	if err := unix.Sendto(fd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return false, false
	}
	buf := make([]byte, 4096)
	n, _, err := unix.Recvfrom(fd, buf, 0)
	if err != nil || n < hdrLen+2 {
		return false, false
	}
	switch ne.Uint16(buf[4:]) {
	case unix.SOCK_DIAG_BY_FAMILY:
		return buf[hdrLen+1] == unix.BPF_TCP_TIME_WAIT, true
	case unix.NLMSG_ERROR:
		if n >= hdrLen+4 && int32(ne.Uint32(buf[hdrLen:])) == -int32(unix.ENOENT) {
			return false, true // no such connection: not in TIME-WAIT
		}
	}
	return false, false
}

// addrs16 is the address family and the two addresses as inet_diag_sockid holds
// them (16 bytes each); family 0 for addresses of different families.
func addrs16(a, b net.IP) (family uint8, src, dst []byte) {
	if a4, b4 := a.To4(), b.To4(); a4 != nil && b4 != nil {
		return unix.AF_INET, append([]byte(a4), make([]byte, 12)...), append([]byte(b4), make([]byte, 12)...)
	}
	if a16, b16 := a.To16(), b.To16(); a16 != nil && b16 != nil && a.To4() == nil && b.To4() == nil {
		return unix.AF_INET6, a16, b16
	}
	return 0, nil, nil
}
