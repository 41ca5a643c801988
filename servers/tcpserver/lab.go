package tcpserver

import (
	"fmt"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/tcp"
)

// Module is the TCP echo/chat server for the lab's registry (with tcp.Protocol),
// its setting the service (tcp.SettingMode).
var Module = lab.ServerModule{New: NewLab, Settings: tcp.Protocol().Settings}

// NewLab adapts a Server to lab.Server, the form the Bench drives. It reads the
// setting "mode" ("echo", the default, or "chat"); Start binds opts.Addr with
// lab.Listen, taps the listener with opts.Tap and serves in the background.
func NewLab(opts lab.ServerOptions) (lab.Server, error) {
	mode := opts.Setting("mode", ModeEcho)
	if mode != ModeEcho && mode != ModeChat {
		return nil, fmt.Errorf("tcpserver: unknown mode %q: choose %q or %q", mode, ModeEcho, ModeChat)
	}
	srv := New(Options{Mode: mode, Tap: opts.Tap})
	return lab.StreamServer(tcp.Name, opts.Addr, srv, srv.Serve), nil
}
