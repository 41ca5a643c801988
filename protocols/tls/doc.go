// Package tls is what the lab knows about TLS 1.2 (RFC 5246) and TLS 1.3
// (RFC 8446), as an analyzer in the manner of Wireshark's: it frames a TCP
// connection's bytes into records (RFC 8446 §5.1, RFC 5246 §6.2) and handshake
// messages (which may span records or share one), explains each of them — the
// ClientHello's offer with its server name (RFC 6066 §3) and application protocols
// (RFC 7301), the server's choice, the certificates, the key exchange, the alerts —
// and follows the session's state.
//
// The records after the handshake's first flight are encrypted. The analyzer
// decrypts them with the secrets the lab's own TLS endpoints write to the hub's key
// log (lab.KeyLog, NSS key log format), found by the ClientHello's random: for
// TLS 1.3 the handshake and first application traffic secrets, expanded into keys
// and IVs with HKDF-Expand-Label (RFC 8446 §7.1, §7.3), followed through KeyUpdate;
// for TLS 1.2 the master secret, expanded into a key block with the TLS 1.2 PRF
// (RFC 5246 §5, §6.3). The application data inside is handed to an inner analyzer:
// the layer the lab's table of layers has for the negotiated ALPN protocol
// (lab.ALPN: "http/1.1", "h2", or "" when none was agreed), or, after STARTTLS,
// the protocol that handed the connection over (lab.Wrapper). Its messages are
// passed on as a layer inside this one.
//
// Secrets may reach the key log a moment after the records they protect, so
// encrypted records wait for their keys, up to MaxPendingBytes per direction, for
// KeyWait, or until the connection ends; then the lab says it has no key for the
// connection and shows the records as opaque.
//
// The analyzer's own messages belong to the layer of the lab.Protocol built by
// Protocol (its name; "tls" for HTTPSProtocol and for Layer, the TLS a STARTTLS
// go-ahead reaches); the inner analyzer's messages
// carry the inner layer's name ("http") and move that layer's state on the last
// message of each batch. The session's states are listed in States, its moves in
// Transitions; no other move is ever made, whatever the input.
//
// Left out: SSL 3.0 and SSLv2-compatible hellos; decryption of TLS 1.0/1.1 and of
// TLS 1.2's CBC and other non-AEAD suites (the lab's endpoints use AES-GCM and
// ChaCha20-Poly1305 only); 0-RTT early data; DTLS; renegotiation (shown, not
// decrypted past its new keys); record compression.
package tls
