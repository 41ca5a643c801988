package pop3server_test

import (
	"strings"
	"testing"

	"github.com/protocollab/protolab/servers/internal/servertest"
	"github.com/protocollab/protolab/servers/mailstore"
	"github.com/protocollab/protolab/servers/pop3server"
)

// TestLongLineRefused: 16 MiB without a line end is refused at the line's bound
// (-ERR, and the connection closed) without the server or the capture reading
// it all, while another client is served.
func TestLongLineRefused(t *testing.T) {
	hub := newHub()
	_, addr, logs := startServer(t, pop3server.Options{
		Stores: []*mailstore.Store{newStore(t, 1)},
		Tap:    hub.Tap(hub.Registry().Lookup("pop3")),
	})
	res := servertest.Flood{
		Addr:   addr,
		Start:  servertest.Greeted("+OK "),
		Prefix: "USER ",
		Other:  servertest.Served(addr, "+OK ", "CAPA", "+OK"),
	}.Run(t)
	if want := "-ERR Line too long (more than 4096 bytes): closing the connection; nothing was deleted.\r\n"; res.Answer != want {
		t.Errorf("answer = %q, want %q", res.Answer, want)
	}
	if !strings.Contains(logs.String(), "longer than 4096 bytes") {
		t.Errorf("log = %q, want the long line noted", logs)
	}
}
