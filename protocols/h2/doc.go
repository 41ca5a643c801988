// Package h2 is what the lab knows about HTTP/2 (RFC 9113) and its header
// compression, HPACK (RFC 7541), as an analyzer that cuts a connection's byte
// stream into the client's connection preface and frames.
//
// The analyzer runs on a cleartext connection that starts with the preface (HTTP/2
// "with prior knowledge", RFC 9113 §3.3, as curl --http2-prior-knowledge speaks it)
// and, inside TLS, on the plaintext the TLS analyzer decrypts when ALPN chose "h2".
// Each frame becomes one message that says what it is and what it means (§6) and
// names the error codes of RST_STREAM and GOAWAY (§7). Header blocks (HEADERS,
// PUSH_PROMISE and their CONTINUATION frames) are decoded with one HPACK decoder
// per direction, since each direction has its own compression state.
//
// The analyzer follows each stream's life (§5.1: idle, reserved, open, half-closed,
// closed; named from the client's side, so "local" is the client) and says which
// request a DATA frame belongs to; when a stream closes it adds a summary of the
// exchange, marked as inferred. The connection's own states are those of
// Protocol's States: the preface, the SETTINGS exchange, open, going away (GOAWAY)
// and closed.
//
// Bounds: a frame longer than the receiver's SETTINGS_MAX_FRAME_SIZE (16 KiB unless
// it announced more), or a frame other than DATA longer than 1 MiB, stops the
// analysis of that direction with a "malformed" message, as does a header block
// HPACK cannot decode (the compression state is lost with it). Decoded header
// lists are kept up to MaxHeaderListBytes, a frame's Raw up to MaxKeptBytes, and at
// most MaxStreams streams are remembered, the oldest closed ones forgotten first.
//
// Left out: the h2c Upgrade from HTTP/1.1 (deprecated by RFC 9113 §3.1), flow
// control accounting (WINDOW_UPDATE frames are shown, windows are not tracked), and
// content codings (a gzip body is counted as the bytes it is).
package h2
