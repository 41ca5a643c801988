package wsserver

import (
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/websocket"
)

// Module is the WebSocket server for the lab's registry (with websocket.Protocol).
var Module = lab.ServerModule{New: NewLab}

// NewLab adapts a Server to lab.Server, the form the Bench drives: Start binds
// opts.Addr with lab.Listen, taps the listener with opts.Tap and serves in the
// background. The server has no settings.
func NewLab(opts lab.ServerOptions) (lab.Server, error) {
	srv := New(Options{Tap: opts.Tap})
	return lab.StreamServer(websocket.Name, opts.Addr, srv, srv.Serve), nil
}
