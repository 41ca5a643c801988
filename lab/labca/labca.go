// Package labca is the lab's local certificate authority: one ECDSA P-256 CA,
// made on first use and kept in the lab's configuration folder (labdir.CA), that
// issues the server certificates of the lab's TLS servers (HTTPS, and later
// IMAPS, SMTPS, FTPS). A person who wants outside clients (curl, a browser, Python) to trust
// the lab exports the CA's certificate (never its key) and hands it to them.
//
// Certificates follow RFC 5280. The CA carries name constraints (RFC 5280
// §4.2.1.10): it can only vouch for names under .test (RFC 6761's reserved
// testing names, where the lab's zones live), localhost, and loopback or private
// addresses, so trusting it cannot expose a person's real sites even if its key
// leaked.
//
// The folder holds ca.pem (the certificate, mode 0644) and ca-key.pem (the
// private key, mode 0600), each written atomically. A damaged file is an error
// naming the file and what to do; labca never makes a new CA over an old one.
package labca

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/protocollab/protolab/lab/labdir"
)

// File names inside the CA's folder.
const (
	CertFile = "ca.pem"
	KeyFile  = "ca-key.pem"
)

// Lifetimes of what the CA makes.
const (
	CALifetime   = 10 * 365 * 24 * time.Hour
	LeafLifetime = 365 * 24 * time.Hour
)

// CommonName is the CA's name as trust stores and certificate viewers show it.
const CommonName = "Protocol Lab local CA"

// LabHosts are the names a server certificate covers when Leaf is given none:
// the loopback names and the lab's zones.
var LabHosts = []string{
	"localhost", "127.0.0.1", "::1",
	"lab.test", "*.lab.test", "alpha.test", "*.alpha.test", "beta.test", "*.beta.test",
}

// ErrDamaged is wrapped by Open's error when a CA file cannot be read as one.
var ErrDamaged = errors.New("labca: damaged CA file")

// The name constraints: what the CA may vouch for.
var (
	permittedDNS = []string{"test", "localhost"}
	permittedIPs = []*net.IPNet{
		cidr("127.0.0.0/8"), cidr("::1/128"),
		cidr("10.0.0.0/8"), cidr("172.16.0.0/12"), cidr("192.168.0.0/16"), cidr("fc00::/7"),
	}
)

func cidr(s string) *net.IPNet {
	_, n, err := net.ParseCIDR(s)
	if err != nil {
		panic(err)
	}
	return n
}

// CA is the lab's certificate authority. Its methods are safe for concurrent use.
type CA struct {
	dir     string
	cert    *x509.Certificate
	certPEM []byte
	key     *ecdsa.PrivateKey
	pool    *x509.CertPool

	mu     sync.Mutex
	leaves map[string]*tls.Certificate
}

// openMu serializes Open within the process, so two servers starting at once
// make one CA. (Two processes making the first CA at the same instant could
// still race; the one that loses reads the other's files at its next start.)
var openMu sync.Mutex

// Open loads the CA kept in dir, or makes one there if dir holds none. A folder
// with only one of the two files, or a file that is not what it should be, is an
// error wrapping ErrDamaged that names the file and what to do.
func Open(dir string) (*CA, error) {
	openMu.Lock()
	defer openMu.Unlock()
	certPath, keyPath := filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	certPEM, certErr := os.ReadFile(certPath)
	keyPEM, keyErr := os.ReadFile(keyPath)
	switch {
	case errors.Is(certErr, fs.ErrNotExist) && errors.Is(keyErr, fs.ErrNotExist):
		return create(dir)
	case certErr != nil && !errors.Is(certErr, fs.ErrNotExist):
		return nil, fmt.Errorf("labca: reading the lab's CA certificate: %w", certErr)
	case keyErr != nil && !errors.Is(keyErr, fs.ErrNotExist):
		return nil, fmt.Errorf("labca: reading the lab's CA key: %w", keyErr)
	case certErr != nil:
		return nil, damaged(dir, certPath, "is missing while "+KeyFile+" is there")
	case keyErr != nil:
		return nil, damaged(dir, keyPath, "is missing while "+CertFile+" is there")
	}
	return load(dir, certPEM, keyPEM)
}

// damaged explains a CA folder the lab cannot use.
func damaged(dir, file, problem string) error {
	return fmt.Errorf("%w: %s %s — move %s and %s out of %s (or delete them) and the lab makes a new CA; "+
		"then trust the new %s wherever you trusted the old one", ErrDamaged, file, problem, CertFile, KeyFile, dir, CertFile)
}

func load(dir string, certPEM, keyPEM []byte) (*CA, error) {
	certPath, keyPath := filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	cb, _ := pem.Decode(certPEM)
	if cb == nil || cb.Type != "CERTIFICATE" {
		return nil, damaged(dir, certPath, "holds no PEM certificate")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, damaged(dir, certPath, fmt.Sprintf("holds a certificate that cannot be read (%v)", err))
	}
	if !cert.IsCA {
		return nil, damaged(dir, certPath, "holds a certificate that is not a CA's")
	}
	kb, _ := pem.Decode(keyPEM)
	if kb == nil || kb.Type != "PRIVATE KEY" {
		return nil, damaged(dir, keyPath, "holds no PEM private key")
	}
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return nil, damaged(dir, keyPath, fmt.Sprintf("holds a key that cannot be read (%v)", err))
	}
	key, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return nil, damaged(dir, keyPath, fmt.Sprintf("holds a %T, not an ECDSA key", k))
	}
	if pub, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok || !pub.Equal(&key.PublicKey) {
		return nil, damaged(dir, keyPath, "does not belong to the certificate in "+CertFile)
	}
	if time.Now().After(cert.NotAfter) {
		return nil, fmt.Errorf("labca: the lab's CA in %s expired on %s — move %s and %s out of %s (or delete them) and the lab makes a new one",
			certPath, cert.NotAfter.Format("2006-01-02"), CertFile, KeyFile, dir)
	}
	return newCA(dir, cert, certPEM, key), nil
}

func newCA(dir string, cert *x509.Certificate, certPEM []byte, key *ecdsa.PrivateKey) *CA {
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &CA{dir: dir, cert: cert, certPEM: certPEM, key: key, pool: pool, leaves: make(map[string]*tls.Certificate)}
}

// create makes a new CA in dir: the key is written first, so that a crash
// between the two writes leaves a folder Open reports rather than two CAs.
func create(dir string) (*CA, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("labca: making the folder for the lab's CA: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("labca: generating the CA key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:                serial(),
		Subject:                     pkix.Name{CommonName: CommonName, Organization: []string{"Protocol Lab"}, OrganizationalUnit: []string{owner()}},
		NotBefore:                   now.Add(-time.Hour),
		NotAfter:                    now.Add(CALifetime),
		KeyUsage:                    x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid:       true,
		IsCA:                        true,
		MaxPathLenZero:              true,
		PermittedDNSDomainsCritical: true,
		PermittedDNSDomains:         permittedDNS,
		PermittedIPRanges:           permittedIPs,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("labca: making the CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("labca: %w", err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("labca: %w", err)
	}
	keyPath := filepath.Join(dir, KeyFile)
	if err := labdir.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		return nil, fmt.Errorf("labca: saving the CA key: %w", err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := labdir.WriteFile(filepath.Join(dir, CertFile), certPEM, 0o644); err != nil {
		os.Remove(keyPath)
		return nil, fmt.Errorf("labca: saving the CA certificate: %w", err)
	}
	return newCA(dir, cert, certPEM, key), nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	return n.Add(n, big.NewInt(1))
}

// owner names who made the CA (user@host), so a person can tell it apart in a
// trust store that holds the lab CAs of several machines.
func owner() string {
	name := "someone"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if h, err := os.Hostname(); err == nil && h != "" {
		name += "@" + h
	}
	return name
}

// Dir is the folder the CA is kept in.
func (ca *CA) Dir() string { return ca.dir }

// Certificate is the CA's certificate.
func (ca *CA) Certificate() *x509.Certificate { return ca.cert }

// CertPEM is the CA's certificate in PEM, as ca.pem holds it.
func (ca *CA) CertPEM() []byte { return bytes.Clone(ca.certPEM) }

// Pool is a certificate pool holding only the CA: a client that uses it as its
// RootCAs trusts the lab's servers and nothing else.
func (ca *CA) Pool() *x509.CertPool { return ca.pool.Clone() }

// Export writes the CA's certificate, never its key, to path atomically (mode
// 0644), for outside clients: curl --cacert path, Python's ssl, a browser's
// trust store.
func (ca *CA) Export(path string) error {
	if err := labdir.WriteFile(path, ca.certPEM, 0o644); err != nil {
		return fmt.Errorf("labca: exporting the CA certificate: %w", err)
	}
	return nil
}

// Leaf returns a server certificate for hosts (names, wildcards such as
// *.lab.test, or IP addresses), signed by the CA, valid for about LeafLifetime,
// its chain holding the CA's certificate. No hosts means LabHosts. Certificates
// are kept in memory and made again when near their end. A host outside the CA's
// name constraints (.test, localhost, loopback and private addresses) is an error.
func (ca *CA) Leaf(hosts ...string) (tls.Certificate, error) {
	if len(hosts) == 0 {
		hosts = LabHosts
	}
	hosts = slices.Clone(hosts)
	slices.Sort(hosts)
	hosts = slices.Compact(hosts)
	id := strings.Join(hosts, " ")

	ca.mu.Lock()
	defer ca.mu.Unlock()
	if c := ca.leaves[id]; c != nil && time.Until(c.Leaf.NotAfter) > 24*time.Hour {
		return *c, nil
	}
	c, err := ca.issue(hosts)
	if err != nil {
		return tls.Certificate{}, err
	}
	ca.leaves[id] = c
	return *c, nil
}

func (ca *CA) issue(hosts []string) (*tls.Certificate, error) {
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "Protocol Lab server", Organization: []string{"Protocol Lab"}},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			if !slices.ContainsFunc(permittedIPs, func(n *net.IPNet) bool { return n.Contains(ip) }) {
				return nil, fmt.Errorf("labca: the lab's CA vouches only for loopback and private addresses, not %s", h)
			}
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			continue
		}
		name := strings.ToLower(strings.TrimSuffix(h, "."))
		if name == "" || !slices.ContainsFunc(permittedDNS, func(d string) bool { return name == d || strings.HasSuffix(name, "."+d) }) {
			return nil, fmt.Errorf("labca: the lab's CA vouches only for names under .test and localhost, not %q", h)
		}
		tmpl.DNSNames = append(tmpl.DNSNames, name)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("labca: generating a server key: %w", err)
	}
	now := time.Now()
	tmpl.NotBefore = now.Add(-time.Hour)
	tmpl.NotAfter = now.Add(LeafLifetime)
	if tmpl.NotAfter.After(ca.cert.NotAfter) {
		tmpl.NotAfter = ca.cert.NotAfter
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, fmt.Errorf("labca: signing a server certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("labca: %w", err)
	}
	return &tls.Certificate{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: key, Leaf: leaf}, nil
}
