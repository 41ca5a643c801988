// Package http is what the lab knows about HTTP/1.0 and HTTP/1.1 over TCP: the
// message syntax and framing of RFC 9112 and the methods and status codes of
// RFC 9110, as an analyzer that cuts a connection's byte stream into requests and
// responses.
//
// A message's body is delimited the way RFC 9112 §6.3 says: no body for HEAD
// responses and 1xx, 204 and 304 responses, the chunked transfer coding (§7.1,
// chunk sizes and trailer fields), Content-Length, or, for a response with neither,
// everything until the server closes the connection. Bodies are counted in full but
// only their first MaxKeptBytes are kept, so a long download costs bounded memory.
//
// What follows a 101 Switching Protocols goes to the layer the lab's table of
// layers has for the protocol switched to (lab.Upgrade, RFC 9110 §7.8: WebSocket's
// frames), which may take part in the handshake (Handshaker). HTTP itself is the
// layer TLS reaches by ALPN "http/1.1" or none (Layer).
//
// Left out: HTTPS's TLS (the tls package carries this one), HTTP/2 and HTTP/3,
// content codings (a gzip body is shown as the bytes it is), and what follows a
// CONNECT tunnel or a 101 to a protocol the table has no layer for, which is no
// longer HTTP and is only counted.
package http
