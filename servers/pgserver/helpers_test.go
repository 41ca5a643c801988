package pgserver

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab/labdir/labdirtest"
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
