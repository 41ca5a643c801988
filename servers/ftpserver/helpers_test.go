package ftpserver_test

import (
	"log"
	"os"
	"path/filepath"
	"testing"

	"github.com/protocollab/protolab/assets/ftproot"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/ftp"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/ftpserver"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// newHub returns a hub that knows TCP, FTP and FTP data, as the app's does.
func newHub() *lab.Hub {
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	reg.Register(ftp.Protocol())
	reg.Register(ftp.DataProtocol())
	return lab.NewHub(lab.HubOptions{Registry: reg})
}

// seededRoot returns a new folder holding the lab's sample files.
func seededRoot(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "root")
	if err := os.CopyFS(dir, ftproot.FS); err != nil {
		t.Fatal(err)
	}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if d.IsDir() {
			os.Chmod(p, 0o755)
		} else {
			os.Chmod(p, 0o644)
		}
		return nil
	})
	return dir
}

// startServer serves opts on 127.0.0.1:0 until the test ends (with a seeded root
// when opts.Root is empty), and checks that Serve then returns ErrServerClosed.
// Wrong passwords are answered without delay unless opts.AuthDelay says
// otherwise. The server's log is returned.
func startServer(t testing.TB, opts ftpserver.Options) (*ftpserver.Server, string, *servertest.SyncBuffer) {
	t.Helper()
	if opts.AuthDelay == 0 {
		opts.AuthDelay = -1
	}
	if opts.Root == "" {
		opts.Root = seededRoot(t)
	}
	logs := &servertest.SyncBuffer{}
	if opts.Log == nil {
		opts.Log = log.New(logs, "", 0)
	}
	srv := ftpserver.New(opts)
	return srv, servertest.Start(t, srv, ftpserver.ErrServerClosed), logs
}
