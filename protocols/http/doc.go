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
// Left out: HTTPS (TLS), HTTP/2 and HTTP/3, content codings (a gzip body is shown
// as the bytes it is), and what follows a 101 Switching Protocols or a CONNECT
// tunnel, which is no longer HTTP and is only counted — unless Options.Upgrade
// names an analyzer for the protocol a 101 switches to (WebSocket's frames).
package http
