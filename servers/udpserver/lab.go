package udpserver

import (
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/udp"
)

// Module is the UDP echo server for the lab's registry (with udp.Protocol).
var Module = lab.ServerModule{New: NewLab}

// NewLab adapts a Server to lab.Server, the form the Bench drives. Start binds
// opts.Addr with lab.ListenPacket, taps the socket with opts.Tap and serves in the
// background. The server has no settings.
func NewLab(opts lab.ServerOptions) (lab.Server, error) {
	srv := New(Options{Tap: opts.Tap})
	return lab.PacketServer(udp.Name, opts.Addr, srv, srv.Serve), nil
}
