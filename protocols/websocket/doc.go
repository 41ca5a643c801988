// Package websocket is what the lab knows about the WebSocket protocol (RFC 6455):
// the opening handshake over HTTP/1.1 (§4), with the check of Sec-WebSocket-Accept
// against the client's key, then the frames of §5 in both directions — FIN, RSV,
// opcode, masking, the 7/16/64-bit payload length, fragmented messages (§5.4), the
// control frames ping, pong and close (§5.5), close status codes (§7.4) — and the
// connection's states CONNECTING, OPEN, CLOSING and CLOSED.
//
// WebSocket is the layer HTTP/1.1 reaches by the Upgrade token "websocket"
// (UpgradeLayer, which the "ws" Protocol declares for the lab's table of layers):
// HTTP's analyzer (protocols/http) shows it the handshake, and what follows the
// 101 Switching Protocols response is read as frames — on the HTTP port, where a
// WebSocket can be one of many conversations, and inside HTTPS (wss://).
// NewAnalyzer serves the "ws" protocol's own port, whose state is the
// WebSocket's. A subprotocol the table has a layer for (lab.Subprotocol: MQTT
// over WebSockets) is fed the data frames' payloads. The analyzer needs no
// WebSocket library.
//
// Bounds: a frame's header is at most 14 bytes; of its payload only the first
// MaxKeptBytes are kept (as Raw) and the first PreviewBytes unmasked for the
// summary, so a frame of any length, even a 64-bit one of gigabytes, is followed as
// a stream and never held whole.
//
// Left out: the payload of compressed frames (permessage-deflate, RFC 7692) is
// shown as sent, not inflated, nor passed to a subprotocol; WebSocket over HTTP/2
// (RFC 8441) is not read.
package websocket
