package tcpserver

import (
	"context"
	"fmt"
	"net"

	"github.com/protocollab/protolab/lab"
)

// NewLab adapts a Server to lab.Server, the form the Bench drives. It reads the
// setting "mode" ("echo", the default, or "chat"); Start binds opts.Addr with
// lab.Listen, taps the listener with opts.Tap and serves in the background.
func NewLab(opts lab.ServerOptions) (lab.Server, error) {
	mode := opts.Setting("mode", ModeEcho)
	if mode != ModeEcho && mode != ModeChat {
		return nil, fmt.Errorf("tcpserver: unknown mode %q: choose %q or %q", mode, ModeEcho, ModeChat)
	}
	return &labServer{addr: opts.Addr, srv: New(Options{Mode: mode, Tap: opts.Tap})}, nil
}

// labServer is a Server as the Bench sees it.
type labServer struct {
	addr string
	srv  *Server
}

var _ lab.Server = (*labServer)(nil)

func (ls *labServer) Start() error {
	l, err := lab.Listen("tcp", ls.addr)
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- ls.srv.Serve(l) }()
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
