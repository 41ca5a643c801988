package ftpclient_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/ftpclient"
	"github.com/protocollab/protolab/lab/labca"
)

// TestExplicitTLSWithVsftpd secures the control and data connections with AUTH
// TLS and PROT P (RFC 4217), in both modes, with a certificate from the lab's CA;
// vsftpd insists that each data connection resume the control connection's TLS
// session.
func TestExplicitTLSWithVsftpd(t *testing.T) {
	ca, err := labca.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Leaf("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	key, err := x509.MarshalPKCS8PrivateKey(leaf.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Certificate[0]}), 0o644)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}), 0o600)

	srv := startVsftpd(t, "ssl_enable=YES", "allow_anon_ssl=YES", "force_anon_logins_ssl=YES",
		"force_anon_data_ssl=YES", "require_ssl_reuse=YES", "ssl_ciphers=HIGH",
		"rsa_cert_file="+certFile, "rsa_private_key_file="+keyFile)

	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			var keys bytes.Buffer
			c := dialVsftpd(t, srv, ftpclient.Options{Mode: mode, TLS: &tls.Config{RootCAs: ca.Pool(), KeyLogWriter: &keys}})
			entries, err := c.List("")
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if _, ok := find(entries, "a.txt"); !ok {
				t.Errorf("List = %q, want a.txt", names(entries))
			}
			want := bytes.Repeat([]byte("secret bytes "), 10000)
			name := "pub/tls-" + mode.String()
			if err := c.Stor(name, bytes.NewReader(want), int64(len(want)), nil); err != nil {
				t.Fatalf("Stor: %v", err)
			}
			var got bytes.Buffer
			if err := c.Retr(name, &got, nil); err != nil {
				t.Fatalf("Retr: %v", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("Retr: %d bytes, want the %d uploaded", got.Len(), len(want))
			}
			if err := c.Quit(); err != nil {
				t.Errorf("Quit: %v", err)
			}
			// One secret per connection: control, LIST, STOR, RETR.
			if n := strings.Count(keys.String(), "CLIENT_TRAFFIC_SECRET_0") + strings.Count(keys.String(), "CLIENT_RANDOM"); n < 4 {
				t.Errorf("key log has %d connections' secrets, want 4:\n%s", n, keys.String())
			}
		})
	}

	// Without TLS, vsftpd refuses the anonymous login (force_anon_logins_ssl).
	c, err := ftpclient.Dial(context.Background(), srv.Addr, ftpclient.Options{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var fe *ftpclient.Error
	if err := c.Login("anonymous", ""); !errors.As(err, &fe) || fe.Code/100 != 5 {
		t.Errorf("plain login to a server that requires TLS: %v, want a 5xx refusal", err)
	}
}
