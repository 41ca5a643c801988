package ftpserver_test

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/protocols/ftp"
	"github.com/protocollab/protolab/servers/ftpserver"
)

// TestAuthTLSData downloads a binary file with curl over AUTH TLS and PROT P, in
// passive mode, and checks that the inspector reports the data
// connection as the file, decrypted with the lab's key log: its exact size and
// SHA-256, not the TLS stream's, with TLS's records as the "tls" layer.
func TestAuthTLSData(t *testing.T) {
	curl := need(t, "curl", "curl")
	ca, cert := labCert(t)
	// Passive only: curl (7.88) accepts an active data connection but never
	// starts TLS on it; the lab's own client covers active mode
	// (clients/ftpclient).
	for _, mode := range []struct {
		name  string
		flags []string
	}{{"passive", []string{"--ftp-pasv"}}} {
		t.Run(mode.name, func(t *testing.T) {
			hub := newHub()
			srv, addr, logs := startServer(t, ftpserver.Options{
				TLS:     &tls.Config{Certificates: []tls.Certificate{cert}},
				Tap:     hub.Tap(hub.Registry().Lookup("ftp")),
				DataTap: hub.Tap(hub.Registry().Lookup("ftp-data")),
			})
			out, err := exec.Command(curl, append(mode.flags, "-sS", "--max-time", "20", "--ssl-reqd", "--cacert", filepath.Join(ca.Dir(), labca.CertFile),
				"ftp://lab:lab@"+addr+"/logo.png")...).Output()
			if err != nil {
				t.Fatalf("curl --ssl-reqd: %v\n%s", err, logs)
			}
			want, _ := os.ReadFile(filepath.Join(srv.Root, "logo.png"))
			if !bytes.Equal(out, want) {
				t.Fatalf("download over TLS: %d bytes, want logo.png's %d", len(out), len(want))
			}
			hub.Settle()
			sum := sha256.Sum256(want)
			var ends, seen []string
			hello := false
			for _, ci := range hub.Conversations() {
				if ci.Protocol != ftp.DataName {
					continue
				}
				for _, e := range hub.ConvEvents(ci.ID) {
					if e.Msg == nil {
						continue
					}
					seen = append(seen, e.Layer+": "+e.Msg.Summary)
					hello = hello || e.Layer == "tls" && strings.HasPrefix(e.Msg.Summary, "ClientHello")
					if e.Layer != ftp.DataName {
						continue
					}
					for _, f := range e.Msg.Fields {
						if f.Name == "SHA-256" {
							ends = append(ends, f.Value)
						}
						if f.Name == "bytes" {
							ends = append(ends, f.Value)
						}
					}
				}
			}
			wantEnds := fmt.Sprintf("[%d %s]", len(want), hex.EncodeToString(sum[:]))
			if got := fmt.Sprint(ends); got != wantEnds {
				t.Errorf("data connection's size and SHA-256 = %s, want logo.png's %s; messages:\n%s", got, wantEnds, strings.Join(seen, "\n"))
			}
			if !hello {
				t.Errorf("no ClientHello on the tls layer; messages:\n%s", strings.Join(seen, "\n"))
			}
		})
	}
}
