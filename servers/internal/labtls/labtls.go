// Package labtls holds the TLS pieces the lab's servers share: a certificate
// from the lab's CA (lab/labca) for the names they answer to, the suites the
// lab's TLS analyzer decrypts, and the tap's key log (lab.Hub.Keys) added to a
// server's configuration, so the lab can read what crosses encrypted. Its
// functions are safe for concurrent use.
package labtls

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"slices"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/lab/labdir"
)

// Hosts are the names a lab server's certificate is for: labca.LabHosts, and
// the IP address of addr (host:port) when it is a private one that other
// machines of the network may dial.
func Hosts(addr string) []string {
	hosts := slices.Clone(labca.LabHosts)
	if h, _, err := net.SplitHostPort(addr); err == nil {
		if ip := net.ParseIP(h); ip != nil && !ip.IsUnspecified() && !ip.IsLoopback() && ip.IsPrivate() {
			hosts = append(hosts, ip.String())
		}
	}
	return hosts
}

// Cert is a certificate from the lab's CA (labdir.CA) for Hosts(addr).
// Its errors begin with prefix, the server's package name ("pop3server").
func Cert(prefix, addr string) (tls.Certificate, error) {
	dir, err := labdir.CA()
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%s: %w", prefix, err)
	}
	ca, err := labca.Open(dir)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%s: the lab's CA: %w", prefix, err)
	}
	cert, err := ca.Leaf(Hosts(addr)...)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%s: %w", prefix, err)
	}
	return cert, nil
}

// AEADConfig is a server configuration with cert for TLS 1.2 and 1.3, TLS 1.2
// limited to ECDHE with AES-GCM or ChaCha20-Poly1305: the suites the lab's TLS
// analyzer decrypts (TLS 1.3's are all AEAD).
func AEADConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
	}
}

// WithKeyLog is a copy of c that also writes its TLS secrets to the key log of
// tap's hub, besides c's own KeyLogWriter, if any. An untapped server (tap or
// its hub nil) gets a plain copy; a nil c stays nil.
func WithKeyLog(c *tls.Config, tap *lab.Tap) *tls.Config {
	c = c.Clone()
	if hub := tap.Hub(); hub != nil && c != nil {
		if c.KeyLogWriter != nil {
			c.KeyLogWriter = io.MultiWriter(c.KeyLogWriter, hub.Keys())
		} else {
			c.KeyLogWriter = hub.Keys()
		}
	}
	return c
}
