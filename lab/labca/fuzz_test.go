package labca_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/protocollab/protolab/lab/labca"
)

// FuzzOpen feeds Open damaged CA files: it must answer with an error (or, for
// files that still hold the CA, the CA), never panic, and never replace them.
func FuzzOpen(f *testing.F) {
	dir := f.TempDir()
	if _, err := labca.Open(dir); err != nil {
		f.Fatal(err)
	}
	cert, _ := os.ReadFile(filepath.Join(dir, labca.CertFile))
	key, _ := os.ReadFile(filepath.Join(dir, labca.KeyFile))
	f.Add(cert, key)
	f.Add(cert[:len(cert)/2], key)
	f.Add(cert, key[:len(key)-10])
	f.Add(key, cert)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n"), []byte{})
	f.Fuzz(func(t *testing.T, cert, key []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, labca.CertFile), cert, 0o644)
		os.WriteFile(filepath.Join(dir, labca.KeyFile), key, 0o600)
		ca, err := labca.Open(dir)
		if err == nil {
			if _, err := ca.Leaf(); err != nil {
				t.Errorf("Open accepted a CA that cannot issue: %v", err)
			}
		}
		if got, _ := os.ReadFile(filepath.Join(dir, labca.CertFile)); string(got) != string(cert) {
			t.Error("Open rewrote ca.pem")
		}
	})
}
