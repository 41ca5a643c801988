package daytimeserver

import (
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/daytime"
)

// SettingFormat is the setting that chooses the answer's format.
const SettingFormat = "format"

// Module is the daytime server as the lab wires it in (app/wire).
var Module = lab.ServerModule{
	New: NewLab,
	Settings: []lab.Setting{{
		Key:     SettingFormat,
		Label:   "Format",
		Default: FormatRFC867,
		Choices: []string{FormatRFC867, FormatRFC3339},
		Help:    "RFC 867 fixes no format: rfc867 is its own example (\"Saturday, December 5, 2026 02:49:38-UTC\"), rfc3339 the Internet's (\"2026-12-05T02:49:38Z\").",
	}},
}

// NewLab adapts a Server to lab.Server, the form the Bench drives: Start binds
// opts.Addr with lab.Listen, taps the listener with opts.Tap and serves in the
// background.
func NewLab(opts lab.ServerOptions) (lab.Server, error) {
	srv, err := New(Options{Format: opts.Setting(SettingFormat, FormatRFC867), Tap: opts.Tap})
	if err != nil {
		return nil, err
	}
	return lab.StreamServer(daytime.Name, opts.Addr, srv, srv.Serve), nil
}
