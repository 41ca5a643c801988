package ftpclient_test

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// vsftpd is an outside FTP server (Debian package vsftpd) running for one test.
type vsftpd struct {
	Addr string // 127.0.0.1:port
	Root string // the anonymous root: read-only for clients
	Pub  string // Root/pub: clients may write here
}

// vsftpdConfig is a configuration for an anonymous vsftpd on 127.0.0.1 that
// allows uploads, renames and deletes in pub/, in both passive and active mode,
// in the foreground. vsftpd refuses a chroot the anonymous user could write to,
// so the root belongs to root and only pub/ to the ftp user.
const vsftpdConfig = `listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=%d
background=NO
anonymous_enable=YES
local_enable=NO
anon_root=%s
no_anon_password=YES
write_enable=YES
anon_upload_enable=YES
anon_mkdir_write_enable=YES
anon_other_write_enable=YES
anon_umask=022
pasv_enable=YES
port_enable=YES
connect_from_port_20=NO
secure_chroot_dir=%s
seccomp_sandbox=NO
xferlog_enable=NO
dirmessage_enable=NO
`

// startVsftpd runs vsftpd on a free port of 127.0.0.1 with its root in a
// temporary folder. It skips the test when vsftpd or the ftp user is missing, or
// when the test does not run as root (vsftpd chroots). extra lines are added to
// the configuration.
func startVsftpd(t testing.TB, extra ...string) *vsftpd {
	t.Helper()
	bin, err := exec.LookPath("vsftpd")
	if err != nil {
		bin = "/usr/sbin/vsftpd"
		if _, err := os.Stat(bin); err != nil {
			t.Skip("vsftpd is not installed (apt-get install vsftpd)")
		}
	}
	if os.Geteuid() != 0 {
		t.Skip("vsftpd must start as root (it chroots to its anonymous root)")
	}
	ftpUser, err := user.Lookup("ftp")
	if err != nil {
		t.Skip("vsftpd's anonymous user ftp does not exist (the vsftpd package creates it)")
	}
	uid, _ := strconv.Atoi(ftpUser.Uid)

	dir := t.TempDir()
	root, empty, pub := filepath.Join(dir, "root"), filepath.Join(dir, "empty"), filepath.Join(dir, "root", "pub")
	for _, d := range []string{root, empty, pub} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(pub, uid, -1); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "a.txt"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	for try := 0; ; try++ {
		port := freePort(t)
		conf := filepath.Join(dir, "vsftpd.conf")
		if err := os.WriteFile(conf, fmt.Appendf(nil, vsftpdConfig+strings.Join(extra, "\n")+"\n", port, root, empty), 0o600); err != nil {
			t.Fatal(err)
		}
		var out syncBuffer
		cmd := exec.Command(bin, conf)
		cmd.Stdout, cmd.Stderr = &out, &out
		// vsftpd forks a process per session: a group of its own lets the
		// cleanup end them all.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			t.Fatalf("starting vsftpd: %v", err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if err := waitGreeting(addr, exited); err != nil {
			cmd.Process.Kill()
			if try < 3 && strings.Contains(out.String(), "bind") {
				continue // another program took the port meanwhile
			}
			t.Fatalf("vsftpd did not start: %v\n%s", err, out.String())
		}
		t.Cleanup(func() {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		})
		return &vsftpd{Addr: addr, Root: root, Pub: pub}
	}
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitGreeting waits until vsftpd answers on addr with its 220 greeting, or exits.
func waitGreeting(addr string, exited <-chan error) error {
	deadline := time.Now().Add(10 * time.Second)
	for delay := time.Millisecond; time.Now().Before(deadline); delay = min(2*delay, 100*time.Millisecond) {
		select {
		case err := <-exited:
			return fmt.Errorf("vsftpd exited: %v", err)
		default:
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.SetDeadline(time.Now().Add(5 * time.Second))
			b := make([]byte, 3)
			_, err = c.Read(b)
			c.Close()
			if err == nil && string(b) == "220" {
				return nil
			}
		}
		time.Sleep(delay) // vsftpd offers no readiness signal but its port
	}
	return fmt.Errorf("no greeting on %s", addr)
}

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
