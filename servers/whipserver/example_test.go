package whipserver_test

import (
	"net/http"

	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/servers/whipserver"
)

// A WHIP endpoint whose peers echo every data-channel message, on an HTTP
// server of its own; the lab's HTTP server mounts LabHandler instead.
func Example() {
	h := whipserver.New(whipserver.Options{NewPeer: func(string) (*p2pclient.Peer, error) {
		return p2pclient.New(p2pclient.Options{Echo: true})
	}})
	defer h.Close()
	mux := http.NewServeMux()
	mux.Handle(whipserver.Path, h)
	mux.Handle(whipserver.Path+"/", h)
	srv := &http.Server{Addr: "127.0.0.1:8080", Handler: mux}
	_ = srv // srv.ListenAndServe() serves it: POST an SDP offer to /whip
}
