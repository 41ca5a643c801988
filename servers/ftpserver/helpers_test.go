package ftpserver_test

import (
	"bytes"
	"errors"
	"log"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/protocollab/protolab/assets/ftproot"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/ftp"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/ftpserver"
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

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServer serves opts on 127.0.0.1:0 until the test ends (with a seeded root
// when opts.Root is empty), and checks that Serve then returns ErrServerClosed.
// The server's log is returned.
func startServer(t testing.TB, opts ftpserver.Options) (*ftpserver.Server, string, *syncBuffer) {
	t.Helper()
	if opts.Root == "" {
		opts.Root = seededRoot(t)
	}
	logs := &syncBuffer{}
	if opts.Log == nil {
		opts.Log = log.New(logs, "", 0)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := ftpserver.New(opts)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	select {
	case <-srv.Started():
	case err := <-served:
		t.Fatalf("Serve = %v before starting", err)
	}
	t.Cleanup(func() {
		srv.Close()
		if err := <-served; !errors.Is(err, ftpserver.ErrServerClosed) {
			t.Errorf("Serve = %v, want ErrServerClosed", err)
		}
	})
	return srv, l.Addr().String(), logs
}
