// Package websocket is what the lab knows about the WebSocket protocol (RFC 6455):
// the opening handshake over HTTP/1.1 (§4), with the check of Sec-WebSocket-Accept
// against the client's key, then the frames of §5 in both directions — FIN, RSV,
// opcode, masking, the 7/16/64-bit payload length, fragmented messages (§5.4), the
// control frames ping, pong and close (§5.5), close status codes (§7.4) — and the
// connection's states CONNECTING, OPEN, CLOSING and CLOSED.
//
// The analyzer is HTTP's analyzer (protocols/http) with an upgrade hook: the
// handshake is read as HTTP, and what follows the 101 Switching Protocols response
// is read as frames. NewAnalyzer serves the "ws" protocol's own port;
// NewHTTPAnalyzer serves the HTTP port, where a WebSocket can be one of many
// conversations. The analyzer needs no WebSocket library.
//
// Bounds: a frame's header is at most 14 bytes; of its payload only the first
// MaxKeptBytes are kept (as Raw) and the first PreviewBytes unmasked for the
// summary, so a frame of any length, even a 64-bit one of gigabytes, is followed as
// a stream and never held whole.
//
// Left out: the payload of compressed frames (permessage-deflate, RFC 7692) is
// shown as sent, not inflated; WebSocket over HTTP/2 (RFC 8441) is not read.
package websocket
