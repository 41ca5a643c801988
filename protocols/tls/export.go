package tls

import (
	"errors"
	"fmt"
)

// What DTLS 1.2 (RFC 6347) shares with TLS 1.2: the registries' names and the
// record protection of the AEAD suites, for protocols/dtls.

// HandshakeName names a handshake message type: "ClientHello".
func HandshakeName(t uint8) string { return handshakeName(t) }

// ExtensionName names a hello extension type: "use_srtp"; GREASE values as such.
func ExtensionName(t uint16) string { return extensionName(t) }

// SuiteName names a cipher suite: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256".
func SuiteName(id uint16) string { return suiteName(id) }

// GroupName names a named group: "X25519".
func GroupName(id uint16) string { return groupName(id) }

// SignatureName names a signature scheme: "ECDSAWithP256AndSHA256".
func SignatureName(id uint16) string { return signatureName(id) }

// List joins the names of vs, at most max of them, saying how many were left out.
func List(vs []uint16, name func(uint16) string, max int) string { return list(vs, name, max) }

// AlertText is an alert's description as a person reads it, with its meaning.
func AlertText(desc uint8) (name, meaning string) {
	if a, ok := alerts[desc]; ok {
		return a.name, a.meaning
	}
	return fmt.Sprintf("alert %d", desc), "an alert this lab does not know"
}

// Opener decrypts the records of one direction of a TLS 1.2 or DTLS 1.2
// connection under one set of keys.
type Opener struct{ p *protection }

// ErrNoSuite is Keys12's error for a suite the lab does not decrypt.
var ErrNoSuite = errors.New("the lab decrypts only the AES-GCM and ChaCha20-Poly1305 suites")

// Keys12 derives both directions' record protection of a TLS 1.2 connection
// (or DTLS 1.2 association) that agreed on suite from its master secret, as the
// key log's CLIENT_RANDOM line holds it (RFC 5246 §6.3).
func Keys12(suite uint16, master, clientRandom, serverRandom []byte) (client, server *Opener, err error) {
	s, ok := suites[suite]
	if !ok || s.tls13 {
		return nil, nil, ErrNoSuite
	}
	c, srv, err := protection12(s, master, clientRandom, serverRandom)
	if err != nil {
		return nil, nil, err
	}
	return &Opener{c}, &Opener{srv}, nil
}

// Open decrypts the body of a record of content type typ and version ver
// (0xfefd for DTLS 1.2) whose sequence number is seq (DTLS: the epoch in the top
// 16 bits, the sequence number in the lower 48).
func (o *Opener) Open(seq uint64, typ uint8, ver uint16, body []byte) ([]byte, error) {
	return o.p.open12(seq, typ, [2]byte{byte(ver >> 8), byte(ver)}, body)
}
