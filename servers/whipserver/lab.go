package whipserver

import (
	"errors"

	"github.com/protocollab/protolab/clients/p2pclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/p2pserver"
)

// LabHandler returns the endpoint of bench b's HTTP server: each offer is
// answered by a peer of the lab's answering peer (p2pserver.LabPeer), on its
// tapped socket, echoing or chatting as the p2p row's settings say. While
// the P2P server is stopped, offers are answered 503 with what to do.
func LabHandler(b *lab.Bench) *Handler {
	return New(Options{NewPeer: func(remote string) (*p2pclient.Peer, error) {
		ap := p2pserver.LabPeer(b)
		if ap == nil {
			return nil, errors.New("the lab's answering peer is not running: start the p2p server")
		}
		return ap.NewPeer(remote)
	}})
}
