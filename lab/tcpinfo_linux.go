package lab

import (
	"net"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

func readTCPInfo(c *net.TCPConn) *TCPInfo {
	rc, err := c.SyscallConn()
	if err != nil {
		return nil
	}
	var ti *unix.TCPInfo
	var gerr error
	if err := rc.Control(func(fd uintptr) {
		ti, gerr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
	}); err != nil || gerr != nil || ti == nil {
		return nil
	}
	const (
		optTimestamps = 1
		optSACK       = 2
		optWScale     = 4
		optECN        = 8
	)
	// struct tcp_info packs tcpi_snd_wscale:4 and tcpi_rcv_wscale:4 into the byte after
	// tcpi_options; x/sys leaves that byte as unnamed padding.
	wscale := *(*uint8)(unsafe.Add(unsafe.Pointer(ti), unsafe.Offsetof(ti.Options)+1))
	return &TCPInfo{
		State:         tcpStateName(ti.State),
		RTT:           time.Duration(ti.Rtt) * time.Microsecond,
		RTTVar:        time.Duration(ti.Rttvar) * time.Microsecond,
		SndMSS:        int(ti.Snd_mss),
		RcvMSS:        int(ti.Rcv_mss),
		SACK:          ti.Options&optSACK != 0,
		Timestamps:    ti.Options&optTimestamps != 0,
		WindowScaling: ti.Options&optWScale != 0,
		SndWScale:     int(wscale & 0x0f),
		RcvWScale:     int(wscale >> 4),
		ECN:           ti.Options&optECN != 0,
		Retransmits:   int(ti.Total_retrans),
		SndCwnd:       int(ti.Snd_cwnd),
		Unacked:       int(ti.Unacked),
	}
}
