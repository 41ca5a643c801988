package lab

import (
	"errors"
	"fmt"
	"net"
	"syscall"
)

// ErrPortInUse reports that a server's port is taken by another program.
var ErrPortInUse = errors.New("lab: port in use")

// ErrPermission reports that the system refused to let the lab bind an address.
var ErrPermission = errors.New("lab: permission denied")

// ListenError is a failed bind, explained for a person.
type ListenError struct {
	Protocol string
	Addr     string
	Err      error // the system's error
}

func (e *ListenError) Error() string {
	_, port, _ := net.SplitHostPort(e.Addr)
	switch {
	case errors.Is(e.Err, syscall.EADDRINUSE):
		return fmt.Sprintf("%s: port %s is in use by another program — choose another port or stop that program", e.Protocol, port)
	case errors.Is(e.Err, syscall.EACCES) || errors.Is(e.Err, syscall.EPERM):
		return fmt.Sprintf("%s: not allowed to listen on port %s — ports below 1024 need administrator rights; choose a port above 1023", e.Protocol, port)
	case errors.Is(e.Err, syscall.EADDRNOTAVAIL):
		host, _, _ := net.SplitHostPort(e.Addr)
		return fmt.Sprintf("%s: address %s does not belong to this computer — listen on 127.0.0.1 or one of this computer's addresses", e.Protocol, host)
	}
	return fmt.Sprintf("%s: cannot listen on %s: %v", e.Protocol, e.Addr, e.Err)
}

// Unwrap lets errors.Is see ErrPortInUse, ErrPermission and the system error.
func (e *ListenError) Unwrap() []error {
	errs := []error{e.Err}
	switch {
	case errors.Is(e.Err, syscall.EADDRINUSE):
		errs = append(errs, ErrPortInUse)
	case errors.Is(e.Err, syscall.EACCES) || errors.Is(e.Err, syscall.EPERM):
		errs = append(errs, ErrPermission)
	}
	return errs
}

// Listen opens a TCP listener on addr and explains a failure with a *ListenError.
func Listen(protocol, addr string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, &ListenError{Protocol: protocol, Addr: addr, Err: err}
	}
	return l, nil
}

// ListenPacket opens a UDP socket on addr and explains a failure with a *ListenError.
func ListenPacket(protocol, addr string) (net.PacketConn, error) {
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return nil, &ListenError{Protocol: protocol, Addr: addr, Err: err}
	}
	return pc, nil
}
