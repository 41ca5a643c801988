package tls

import (
	"crypto/x509"
	"fmt"
	"time"

	"golang.org/x/crypto/cryptobyte"

	"github.com/protocollab/protolab/lab"
)

// maxShownCerts bounds the certificates of a chain described field by field.
const maxShownCerts = 8

// certificate explains a Certificate message: TLS 1.3's entries with their
// extensions (RFC 8446 §4.4.2) or TLS 1.2's plain list (RFC 5246 §7.4.2).
func (a *Analyzer) certificate(m *lab.Message, h *half, body []byte) error {
	s := cryptobyte.String(body)
	if a.tls13() {
		var context cryptobyte.String
		if !s.ReadUint8LengthPrefixed(&context) {
			return fmt.Errorf("cut short")
		}
	}
	var certs cryptobyte.String
	if !s.ReadUint24LengthPrefixed(&certs) {
		return fmt.Errorf("the certificate list's length runs past the message")
	}
	var ders [][]byte
	for !certs.Empty() {
		var der cryptobyte.String
		if !certs.ReadUint24LengthPrefixed(&der) {
			return fmt.Errorf("a certificate's length runs past the list")
		}
		if a.tls13() {
			var exts cryptobyte.String
			if !certs.ReadUint16LengthPrefixed(&exts) {
				return fmt.Errorf("a certificate entry's extensions run past the list")
			}
		}
		ders = append(ders, der)
	}
	m.Ref = a.ref("§4.4.2", "§7.4.2")
	if len(ders) == 0 {
		m.Summary = "Certificate (empty: the " + h.side() + " has none to send)"
		m.Meaning = "The " + h.side() + " was asked for a certificate and has none."
		return nil
	}
	m.Meaning = "The " + h.side() + "'s certificate chain: its own certificate first, binding its name to " +
		"its public key, then the authorities that vouch for it. The peer checks the signatures up to an " +
		"authority it trusts and that the name matches the one it wanted."
	for i, der := range ders {
		if i == maxShownCerts {
			m.Fields = append(m.Fields, lab.Field{Name: "more", Value: fmt.Sprintf("%d more certificates", len(ders)-i)})
			break
		}
		p := fmt.Sprintf("certificate %d ", i+1)
		c, err := x509.ParseCertificate(der)
		if err != nil {
			m.Fields = append(m.Fields, lab.Field{Name: p + "error", Value: fmt.Sprintf("%d bytes the lab cannot parse: %v", len(der), err)})
			if i == 0 {
				m.Summary = fmt.Sprintf("Certificate (%d in chain, unparsable)", len(ders))
			}
			continue
		}
		if i == 0 {
			m.Summary = fmt.Sprintf("Certificate: %s, issued by %s", name(c.Subject.String()), name(c.Issuer.String()))
			if len(ders) > 1 {
				m.Summary += fmt.Sprintf(" (%d in chain)", len(ders))
			}
		}
		m.Fields = append(m.Fields,
			lab.Field{Name: p + "subject", Value: name(c.Subject.String())},
			lab.Field{Name: p + "issuer", Value: name(c.Issuer.String())},
		)
		if sans := altNames(c); sans != "" {
			m.Fields = append(m.Fields, lab.Field{Name: p + "names (SAN)", Value: sans})
		}
		m.Fields = append(m.Fields,
			lab.Field{Name: p + "valid", Value: c.NotBefore.UTC().Format(time.DateTime) + " to " + c.NotAfter.UTC().Format(time.DateTime) + " UTC"},
			lab.Field{Name: p + "key", Value: c.PublicKeyAlgorithm.String() + ", signed with " + c.SignatureAlgorithm.String()},
		)
	}
	return nil
}

func name(dn string) string {
	if dn == "" {
		return "(no name)"
	}
	return printable([]byte(dn))
}

func altNames(c *x509.Certificate) string {
	var n []string
	n = append(n, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		n = append(n, ip.String())
	}
	n = append(n, c.EmailAddresses...)
	for _, u := range c.URIs {
		n = append(n, u.String())
	}
	return printable([]byte(list(n, func(s string) string { return s }, 20)))
}
