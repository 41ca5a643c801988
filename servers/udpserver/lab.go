package udpserver

import (
	"context"
	"net"

	"github.com/protocollab/protolab/lab"
)

// NewLab adapts a Server to lab.Server, the form the Bench drives. Start binds
// opts.Addr with lab.ListenPacket, taps the socket with opts.Tap and serves in the
// background. The server has no settings.
func NewLab(opts lab.ServerOptions) (lab.Server, error) {
	return &labServer{addr: opts.Addr, srv: New(Options{Tap: opts.Tap})}, nil
}

// labServer is a Server as the Bench sees it.
type labServer struct {
	addr string
	srv  *Server
}

var _ lab.Server = (*labServer)(nil)

func (ls *labServer) Start() error {
	pc, err := lab.ListenPacket("udp", ls.addr)
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- ls.srv.Serve(pc) }()
	select {
	case <-ls.srv.Started():
		return nil
	case err := <-served:
		return err
	}
}

func (ls *labServer) Addr() net.Addr                     { return ls.srv.Addr() }
func (ls *labServer) Sessions() int                      { return ls.srv.Sessions() }
func (ls *labServer) Close() error                       { return ls.srv.Close() }
func (ls *labServer) Shutdown(ctx context.Context) error { return ls.srv.Shutdown(ctx) }
