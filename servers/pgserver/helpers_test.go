package pgserver

import (
	"crypto/tls"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/internal/labtls"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(childMain())
	}
	os.Exit(labdirtest.Main(m))
}

// testServer serves a new database in a temporary folder with opts (DB set
// for it) on 127.0.0.1:0 and returns the server and its address.
func testServer(t testing.TB, opts Options) (*Server, string) {
	t.Helper()
	if opts.DB == nil {
		db, err := OpenDB(filepath.Join(t.TempDir(), "lab.sqlite"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		opts.DB = db
	}
	if opts.AuthDelay == 0 {
		opts.AuthDelay = -1
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	<-srv.Started()
	t.Cleanup(func() { srv.Close() })
	return srv, l.Addr().String()
}

// psql runs psql with conninfo and args, input on stdin, and returns what
// it printed (stdout and stderr).
func psql(t *testing.T, conninfo, input string, env []string, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql is not installed")
	}
	cmd := exec.Command(bin, append([]string{"-X", "-v", "ON_ERROR_STOP=0", conninfo}, args...)...)
	cmd.Env = append(os.Environ(), append([]string{"PGCONNECT_TIMEOUT=10"}, env...)...)
	cmd.Stdin = strings.NewReader(input)
	out, _ := cmd.CombinedOutput()
	if testing.Verbose() {
		t.Logf("psql:\n%s", out)
	}
	return string(out)
}

func conninfo(addr, extra string) string {
	host, port, _ := net.SplitHostPort(addr)
	return "host=" + host + " port=" + port + " user=lab password=lab dbname=lab " + extra
}

// newHub is a hub that captures the server's conversations (no analyzer:
// protocols/pgsql describes them in the app).
func newHub() (*lab.Hub, *lab.Tap) {
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	p := &lab.Protocol{Name: Name, Transport: "tcp", DefaultPort: DefaultPort, Links: []lab.LinkKind{lab.LinkCancel}}
	reg.Register(p)
	h := lab.NewHub(lab.HubOptions{Registry: reg})
	return h, h.Tap(p)
}

// labTLS is the server's TLS configuration from a new lab CA in t's
// folders, and the CA certificate's file.
func labTLS(t *testing.T) (*tls.Config, string) {
	t.Helper()
	dirs := labdirtest.Temp(t)
	cert, err := labtls.Cert("pgserver", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ca, err := labca.Open(dirs.Config)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(file, ca.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	return labtls.AEADConfig(cert), file
}
