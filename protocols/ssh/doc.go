// Package ssh is what the lab knows about the SSH transport layer (RFC 4253), the
// part of an SFTP session a lab can see on the wire: the version exchange (§4.2),
// the binary packet framing (§6) of the packets sent before encryption starts, the
// algorithm negotiation of KEXINIT (§7.1) with what each list settles on, the key
// exchange messages (RFC 5656 §4 ECDH, RFC 8731 Curve25519, RFC 4253 §8
// Diffie-Hellman, RFC 4419 group exchange) with the server's host key type and
// SHA256 fingerprint, and NEWKEYS (§7.3).
//
// After NEWKEYS in a direction everything in that direction is encrypted with keys
// that only the two ends know: unlike TLS, SSH has no key log a lab could ask for,
// so the analyzer cannot decrypt it. It says "encrypted from here" and counts the
// bytes. The user authentication (RFC 4252), the channels (RFC 4254) and the SFTP
// operations inside them are reported by the lab's SFTP server itself
// (servers/sftpserver) as messages of the same conversation, in the layer "sftp".
//
// States: "" → version → kexinit → key-exchange → encrypted → closed.
//
// Bounds: a version line is at most 255 bytes (§4.2) and at most MaxPreambleLines
// other lines may come before the server's; a packet before encryption is at most
// MaxPacketLength bytes (§6.1). Anything beyond either bound is reported as
// malformed and the direction is only counted from then on.
//
// Left out: the re-keying later in a session (its KEXINIT is encrypted), and
// SSH-1 (a "SSH-1.x" version line is named and not followed).
package ssh
