package lab

import (
	"context"
	"net"
)

// Lifecycle is the net/http-style lifecycle every servers/<p>server offers, less
// its Serve method, whose argument differs between stream and datagram servers.
type Lifecycle interface {
	// Started is closed once the server serves its first socket.
	Started() <-chan struct{}
	Addr() net.Addr
	Sessions() int
	Close() error
	Shutdown(ctx context.Context) error
}

// StreamServer adapts a TCP server to Server: Start binds addr with Listen (so a
// failure is a *ListenError a person can read), runs serve(l) in the background and
// returns once the server has started or failed.
func StreamServer(protocol, addr string, srv Lifecycle, serve func(net.Listener) error) Server {
	return &adapted{Lifecycle: srv, start: func() (func() error, error) {
		l, err := Listen(protocol, addr)
		if err != nil {
			return nil, err
		}
		return func() error { return serve(l) }, nil
	}}
}

// PacketServer adapts a UDP server to Server, as StreamServer does a TCP one.
func PacketServer(protocol, addr string, srv Lifecycle, serve func(net.PacketConn) error) Server {
	return &adapted{Lifecycle: srv, start: func() (func() error, error) {
		pc, err := ListenPacket(protocol, addr)
		if err != nil {
			return nil, err
		}
		return func() error { return serve(pc) }, nil
	}}
}

type adapted struct {
	Lifecycle
	start func() (run func() error, err error)
}

func (a *adapted) Start() error {
	run, err := a.start()
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- run() }()
	select {
	case <-a.Started():
		return nil
	case err := <-served:
		return err
	}
}
