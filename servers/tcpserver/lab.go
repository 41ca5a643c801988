package tcpserver

import (
	"fmt"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/internal/labsettings"
)

// Module is the TCP echo/chat server for the lab's registry (with tcp.Protocol),
// its setting the service (tcp.SettingMode).
var Module = lab.ServerModule{New: NewLab, Settings: tcp.Protocol().Settings}

// NewLab adapts a Server to lab.Server, the form the Bench drives. It reads the
// settings "mode" ("echo", the default, or "chat") and "capture" (how much of
// each connection the tap keeps, tcp.CaptureChoices); Start binds opts.Addr
// with lab.Listen, taps the listener with opts.Tap and serves in the
// background.
func NewLab(opts lab.ServerOptions) (lab.Server, error) {
	mode := opts.Setting(tcp.SettingMode, ModeEcho)
	if mode != ModeEcho && mode != ModeChat {
		return nil, fmt.Errorf("tcpserver: unknown mode %q: choose %q or %q", mode, ModeEcho, ModeChat)
	}
	limit, err := labsettings.Size("tcpserver", opts, tcp.SettingCapture, tcp.DefaultCapture, tcp.CaptureChoices)
	if err != nil {
		return nil, err
	}
	// This server's connections keep as much as its setting says.
	tap := opts.Tap.WithCaptureLimit(limit)
	srv := New(Options{Mode: mode, Tap: tap})
	return lab.StreamServer(tcp.Name, opts.Addr, srv, srv.Serve), nil
}
