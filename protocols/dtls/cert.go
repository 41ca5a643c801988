package dtls

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/tls"
	"golang.org/x/crypto/cryptobyte"
)

// The messages about certificates and keys.

func certificate(m *lab.Message, msg []byte, off int) error {
	m.Ref = "RFC 5246 §7.4.2"
	r := reader{s: msg, n: len(msg), base: off}
	var list cryptobyte.String
	if !r.s.ReadUint24LengthPrefixed(&list) {
		return errShort
	}
	q := reader{s: list, n: len(list), base: off + 3}
	n := 0
	for !q.s.Empty() {
		var der cryptobyte.String
		p := q.at()
		if !q.s.ReadUint24LengthPrefixed(&der) {
			return errShort
		}
		n++
		sum := sha256.Sum256(der)
		fp := strings.ToUpper(hex.EncodeToString(sum[:]))
		var pairs []string
		for i := 0; i < len(fp); i += 2 {
			pairs = append(pairs, fp[i:i+2])
		}
		v := "SHA-256 fingerprint " + strings.Join(pairs, ":")
		if c, err := x509.ParseCertificate(der); err == nil {
			v = fmt.Sprintf("subject %q, %s key, %s", c.Subject.String(), c.PublicKeyAlgorithm, v)
		}
		m.Fields = append(m.Fields, lab.Field{Name: fmt.Sprintf("certificate %d", n), Value: v, Off: p, Len: q.at() - p})
	}
	m.Summary = fmt.Sprintf("Certificate (%d)", n)
	m.Meaning = "The sender's certificate. In WebRTC it is self-signed: what makes it trusted is that its SHA-256 fingerprint is the one the peer's SDP announced (a=fingerprint, RFC 8122), which came over the signalling channel."
	return nil
}

func serverKeyExchange(m *lab.Message, msg []byte, off int) error {
	m.Meaning = "The server's ephemeral ECDH public key on the named curve, signed with its certificate's key: the client checks the signature, then answers with its own key share."
	if len(msg) < 4 || msg[0] != 3 || len(msg) < 4+int(msg[3]) {
		return nil
	}
	curve := uint16(msg[1])<<8 | uint16(msg[2])
	m.Summary = "ServerKeyExchange: " + tls.GroupName(curve)
	m.Fields = append(m.Fields, lab.Field{Name: "named curve", Value: tls.GroupName(curve), Off: off, Len: 3},
		lab.Field{Name: "server public key", Value: fmt.Sprintf("%d bytes", msg[3]), Off: off + 3, Len: 1 + int(msg[3])})
	if rest := msg[4+int(msg[3]):]; len(rest) >= 4 {
		p := off + 4 + int(msg[3])
		m.Fields = append(m.Fields, lab.Field{Name: "signature algorithm", Value: tls.SignatureName(uint16(rest[0])<<8 | uint16(rest[1])), Off: p, Len: 2},
			lab.Field{Name: "signature", Value: fmt.Sprintf("%d bytes", len(rest)-4), Off: p + 2, Len: len(rest) - 2})
	}
	return nil
}

var certTypes = map[uint8]string{1: "rsa_sign", 2: "dss_sign", 64: "ecdsa_sign"}

// certificateRequest frames the certificate types and signature algorithms
// the server accepts (RFC 5246 §7.4.4).
func certificateRequest(m *lab.Message, msg []byte, off int) {
	r := reader{s: msg, n: len(msg), base: off}
	var types, algs cryptobyte.String
	if !r.s.ReadUint8LengthPrefixed(&types) {
		return
	}
	var ts []string
	for _, t := range types {
		if n, ok := certTypes[t]; ok {
			ts = append(ts, n)
		} else {
			ts = append(ts, fmt.Sprint(t))
		}
	}
	m.Fields = append(m.Fields, lab.Field{Name: "certificate types", Value: strings.Join(ts, ", "), Off: off, Len: 1 + len(types)})
	p := r.at()
	if !r.s.ReadUint16LengthPrefixed(&algs) {
		return
	}
	var ids []uint16
	for ; len(algs) >= 2; algs = algs[2:] {
		ids = append(ids, uint16(algs[0])<<8|uint16(algs[1]))
	}
	m.Fields = append(m.Fields, lab.Field{Name: "signature algorithms", Value: tls.List(ids, tls.SignatureName, 8), Off: p, Len: r.at() - p})
}
