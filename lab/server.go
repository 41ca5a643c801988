package lab

import (
	"context"
	"net"
)

// ServerOptions configures one embedded server as the Bench starts it.
type ServerOptions struct {
	// Addr is the host:port to listen on. Port 0 picks a free port.
	Addr string
	// Tap, if non-nil, captures every connection of the server. A nil Tap captures nothing.
	Tap *Tap
	// Settings are the protocol's own options by Setting.Key; a missing key means its default.
	Settings map[string]string
	// Lab is the bench starting the server, nil outside one: a server that works
	// with the lab's other servers (an SMTP server relaying through the lab DNS
	// to the other mail domain) finds them, their addresses and taps through it.
	Lab *Bench
}

// Setting returns the value of key, or def when it is not set.
func (o ServerOptions) Setting(key, def string) string {
	if v, ok := o.Settings[key]; ok && v != "" {
		return v
	}
	return def
}

// Server is an embedded server as the Bench drives it: start it, ask it, stop it.
// Each servers/<p>server package offers the net/http-style lifecycle (Serve(l),
// Close, Shutdown); the app's wiring adapts it to this interface.
type Server interface {
	// Start binds the server's sockets and serves in the background. When it returns
	// nil, Addr reports the bound address.
	Start() error
	// Addr is the bound address (nil before Start).
	Addr() net.Addr
	// Sessions is the number of live sessions (connections or recent flows).
	Sessions() int
	// Close stops at once, dropping live sessions.
	Close() error
	// Shutdown stops accepting and waits for live sessions to end, or ctx to expire.
	Shutdown(ctx context.Context) error
}
