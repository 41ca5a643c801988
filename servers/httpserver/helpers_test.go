package httpserver_test

import (
	"testing"

	"github.com/protocollab/protolab/lab"
	httpproto "github.com/protocollab/protolab/protocols/http"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/httpserver"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// newHub returns a hub that knows TCP and HTTP, as the app's does.
func newHub() (*lab.Hub, *lab.Protocol) {
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	p := httpproto.Protocol()
	reg.Register(p)
	return lab.NewHub(lab.HubOptions{Registry: reg}), p
}

// startServer serves opts on 127.0.0.1:0 until the test ends, and checks that
// Serve then returns ErrServerClosed.
func startServer(t testing.TB, opts httpserver.Options) (*httpserver.Server, string) {
	t.Helper()
	srv := httpserver.New(opts)
	return srv, servertest.Start(t, srv, httpserver.ErrServerClosed)
}

// httpConvs counts the hub's HTTP conversations: one per TCP connection.
func httpConvs(h *lab.Hub) int {
	n := 0
	for _, ci := range h.Conversations() {
		if ci.Protocol == "http" {
			n++
		}
	}
	return n
}
