package labca_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab/labca"
)

func TestOpenKeepsOneCA(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "protolab")
	ca, err := labca.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := ca.Certificate().Subject.CommonName; got != labca.CommonName {
		t.Errorf("CA name = %q, want %q", got, labca.CommonName)
	}
	again, err := labca.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ca.CertPEM(), again.CertPEM()) {
		t.Error("reopening made a different CA")
	}
	// A leaf of the reopened CA verifies against the first one's pool.
	leaf, err := again.Leaf()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: "www.lab.test"}); err != nil {
		t.Errorf("reopened CA's leaf does not verify: %v", err)
	}
	if runtime.GOOS != "windows" {
		for file, want := range map[string]os.FileMode{labca.KeyFile: 0o600, labca.CertFile: 0o644} {
			fi, err := os.Stat(filepath.Join(dir, file))
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != want {
				t.Errorf("%s mode = %v, want %v", file, got, want)
			}
		}
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*"))
	if len(left) > 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestDamaged(t *testing.T) {
	for _, tt := range []struct {
		name  string
		file  string
		spoil func(path string) error
		want  string
	}{
		{"garbage certificate", labca.CertFile, func(p string) error { return os.WriteFile(p, []byte("not a certificate"), 0o644) }, "holds no PEM certificate"},
		{"truncated key", labca.KeyFile, func(p string) error {
			b, _ := os.ReadFile(p)
			return os.WriteFile(p, b[:len(b)/2], 0o600)
		}, "holds no PEM private key"},
		{"missing certificate", labca.CertFile, os.Remove, "is missing"},
		{"missing key", labca.KeyFile, os.Remove, "is missing"},
	} {
		dir := t.TempDir()
		if _, err := labca.Open(dir); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, tt.file)
		if err := tt.spoil(path); err != nil {
			t.Fatal(err)
		}
		before, _ := os.ReadFile(filepath.Join(dir, labca.KeyFile))
		_, err := labca.Open(dir)
		if !errors.Is(err, labca.ErrDamaged) {
			t.Fatalf("%s: Open = %v, want ErrDamaged", tt.name, err)
		}
		msg := err.Error()
		for _, want := range []string{path, tt.want, "makes a new CA"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: error %q does not say %q", tt.name, msg, want)
			}
		}
		if after, _ := os.ReadFile(filepath.Join(dir, labca.KeyFile)); !bytes.Equal(before, after) {
			t.Errorf("%s: Open changed the key file", tt.name)
		}
	}
}

func TestKeyOfAnotherCA(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, d := range []string{a, b} {
		if _, err := labca.Open(d); err != nil {
			t.Fatal(err)
		}
	}
	key, _ := os.ReadFile(filepath.Join(b, labca.KeyFile))
	os.WriteFile(filepath.Join(a, labca.KeyFile), key, 0o600)
	if _, err := labca.Open(a); !errors.Is(err, labca.ErrDamaged) || !strings.Contains(err.Error(), "does not belong") {
		t.Errorf("Open with another CA's key = %v, want ErrDamaged saying it does not belong", err)
	}
}

func TestLeafVerifies(t *testing.T) {
	ca, err := labca.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Leaf()
	if err != nil {
		t.Fatal(err)
	}
	if len(leaf.Certificate) != 2 {
		t.Fatalf("chain of %d certificates, want the leaf and the CA", len(leaf.Certificate))
	}
	for _, host := range []string{"localhost", "127.0.0.1", "::1", "lab.test", "www.lab.test", "mail.alpha.test", "www.beta.test", "alpha.test"} {
		if _, err := leaf.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: host}); err != nil {
			t.Errorf("leaf for %s: %v", host, err)
		}
	}
	for _, host := range []string{"example.com", "a.b.lab.test", "127.0.0.2"} {
		if _, err := leaf.Leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: host}); err == nil {
			t.Errorf("leaf verifies for %s, which it does not name", host)
		}
	}
	if d := leaf.Leaf.NotAfter.Sub(leaf.Leaf.NotBefore); d < 360*24*60*60e9 || d > 370*24*60*60e9 {
		t.Errorf("leaf valid for %v, want about a year", d)
	}
	again, _ := ca.Leaf("*.lab.test", "localhost", "127.0.0.1", "::1", "lab.test", "*.alpha.test", "alpha.test", "*.beta.test", "beta.test")
	if !bytes.Equal(again.Certificate[0], leaf.Certificate[0]) {
		t.Error("the same hosts in another order made a new certificate, want the cached one")
	}
	// A TLS handshake with the leaf, as a client trusting only the CA does it.
	if err := handshake(leaf, ca.Pool(), "www.lab.test"); err != nil {
		t.Errorf("handshake: %v", err)
	}
}

func TestLeafOutsideConstraints(t *testing.T) {
	ca, err := labca.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"example.com", "8.8.8.8", "test.example"} {
		if _, err := ca.Leaf(host); err == nil || !strings.Contains(err.Error(), "vouches only") {
			t.Errorf("Leaf(%q) = %v, want a refusal", host, err)
		}
	}
	if _, err := ca.Leaf("192.168.1.20", "pc.lab.test"); err != nil {
		t.Errorf("Leaf of a private address: %v", err)
	}
}

func TestExport(t *testing.T) {
	ca, err := labca.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "lab-ca.pem")
	if err := ca.Export(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("PRIVATE KEY")) {
		t.Fatal("the export holds a private key")
	}
	if !bytes.Equal(b, ca.CertPEM()) {
		t.Error("the export is not the CA's certificate")
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		t.Error("the export is not a PEM certificate")
	}
	if err := ca.Export(filepath.Join(t.TempDir(), "no", "such", "folder", "ca.pem")); err == nil {
		t.Error("Export into a missing folder succeeded")
	}
}

func handshake(cert tls.Certificate, roots *x509.CertPool, name string) error {
	cc, sc := net.Pipe()
	done := make(chan error, 1)
	go func() {
		s := tls.Server(sc, &tls.Config{Certificates: []tls.Certificate{cert}})
		done <- s.Handshake()
		s.Close()
	}()
	c := tls.Client(cc, &tls.Config{RootCAs: roots, ServerName: name})
	err := c.Handshake()
	c.Close()
	if serr := <-done; err == nil {
		err = serr
	}
	return err
}
