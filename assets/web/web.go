// Package web holds the small site the lab's HTTP server serves when the person
// has not picked a folder of their own: a page explaining the lab, a picture, and
// the WebSocket chat demo. It imports no GUI, so servers can embed it.
package web

import (
	"embed"
	"io/fs"
)

//go:embed root
var files embed.FS

// Root is the default docroot: index.html at its top.
var Root fs.FS = mustSub(files, "root")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // the embed directive guarantees dir exists
	}
	return sub
}

// P2PPage is the browser's WebRTC peer (/p2p.html), served by the lab's HTTP
// server whatever the docroot. Its "{{SIGNAL}}" is the signalling server's
// WebSocket URL, filled in by the server ("" lets the page guess).
//
//go:embed p2p/p2p.html
var P2PPage string
