package whipserver

import (
	"errors"
	"sync"

	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/p2pserver"
)

// LabHandler returns the endpoint of bench b's HTTP server: each offer is
// answered by a peer of the lab's answering peer (p2pserver.LabPeer), on its
// tapped socket, echoing or chatting as the p2p row's settings say. While
// the P2P server is stopped, offers are answered 503 with what to do.
// LabEndpoint finds it again.
func LabHandler(b *lab.Bench) *Handler {
	h := New(Options{NewPeer: func(remote string) (*p2pclient.Peer, error) {
		ap := p2pserver.LabPeer(b)
		if ap == nil {
			return nil, errors.New("the lab's answering peer is not running: start the p2p server")
		}
		return ap.NewPeer(remote)
	}})
	endpoints.Lock()
	endpoints.m[b] = h
	endpoints.Unlock()
	return h
}

// endpoints holds the endpoint each bench made last.
var endpoints = struct {
	sync.Mutex
	m map[*lab.Bench]*Handler
}{m: make(map[*lab.Bench]*Handler)}

// LabEndpoint returns the endpoint bench b's HTTP server made last (serving
// or not), nil if none: the P2P pane's way to the WHIP sessions' peers
// (Handler.Peers), which the answering peer's Peers does not list.
func LabEndpoint(b *lab.Bench) *Handler {
	endpoints.Lock()
	defer endpoints.Unlock()
	return endpoints.m[b]
}
