package ftpserver_test

import (
	"bytes"
	"crypto/tls"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/servers/ftpserver"
)

// TestAuthTLS downloads over AUTH TLS with PROT P (curl --ssl-reqd) and checks
// that the inspector decrypts the control connection with the lab's key log.
func TestAuthTLS(t *testing.T) {
	curl := need(t, "curl", "curl")
	ca, cert := labCert(t)
	hub := newHub()
	srv, addr, _ := startServer(t, ftpserver.Options{
		TLS:     &tls.Config{Certificates: []tls.Certificate{cert}},
		Tap:     hub.Tap(hub.Registry().Lookup("ftp")),
		DataTap: hub.Tap(hub.Registry().Lookup("ftp-data")),
	})
	out, err := exec.Command(curl, "-sS", "--max-time", "20", "--ssl-reqd", "--cacert", filepath.Join(ca.Dir(), labca.CertFile),
		"ftp://lab:lab@"+addr+"/README.txt").CombinedOutput()
	if err != nil {
		t.Fatalf("curl --ssl-reqd: %v\n%s", err, out)
	}
	want, _ := os.ReadFile(filepath.Join(srv.Root, "README.txt"))
	if !bytes.Equal(out, want) {
		t.Errorf("download over TLS = %q", out)
	}
	hub.Settle()
	var seen []string
	for _, ci := range hub.Conversations() {
		if ci.Protocol != "ftp" {
			continue
		}
		for _, e := range hub.ConvEvents(ci.ID) {
			if e.Msg != nil && e.Layer == "ftp" {
				seen = append(seen, e.Msg.Summary)
			}
		}
	}
	all := strings.Join(seen, "\n")
	if !strings.Contains(all, "encrypted from here") {
		t.Errorf("no \"encrypted from here\" in:\n%s", all)
	}
	if !strings.Contains(all, "PASS ****") || !strings.Contains(all, "RETR README.txt") {
		t.Errorf("the commands after AUTH TLS were not decrypted (the lab's key log); messages:\n%s", all)
	}
	_ = lab.KindMessage
}

// labCert returns a new lab CA and a certificate it issued for localhost and 127.0.0.1.
func labCert(t *testing.T) (*labca.CA, tls.Certificate) {
	t.Helper()
	ca, err := labca.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Leaf("localhost", "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return ca, cert
}
