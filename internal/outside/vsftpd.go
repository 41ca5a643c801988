package outside

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Vsftpd is vsftpd (Debian package vsftpd) running for one test.
type Vsftpd struct {
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

// StartVsftpd runs vsftpd on a free port of 127.0.0.1 with its root in a
// temporary folder, holding a.txt ("hello\n") and an empty pub/. It skips
// when vsftpd or its ftp user is missing, or when the test does not run as
// root (vsftpd chroots). extra lines are added to the configuration.
func StartVsftpd(tb testing.TB, extra ...string) *Vsftpd {
	tb.Helper()
	bin := find(tb, "vsftpd", "/usr/sbin/vsftpd", "apt-get install vsftpd, or scripts/setup test")
	if os.Geteuid() != 0 {
		tb.Skip("vsftpd must start as root (it chroots to its anonymous root)")
	}
	ftpUser, err := user.Lookup("ftp")
	if err != nil {
		tb.Skip("vsftpd's anonymous user ftp does not exist (the vsftpd package creates it)")
	}
	uid, _ := strconv.Atoi(ftpUser.Uid)
	dir := tb.TempDir()
	root, empty, pub := filepath.Join(dir, "root"), filepath.Join(dir, "empty"), filepath.Join(dir, "root", "pub")
	for _, d := range []string{root, empty, pub} {
		if err := os.Mkdir(d, 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.Chown(pub, uid, -1); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "a.txt"), []byte("hello\n"), 0o644); err != nil {
		tb.Fatal(err)
	}
	addr := start(tb, "vsftpd", func(port int) *exec.Cmd {
		conf := filepath.Join(dir, "vsftpd.conf")
		os.WriteFile(conf, fmt.Appendf(nil, vsftpdConfig+strings.Join(extra, "\n")+"\n", port, root, empty), 0o600)
		return exec.Command(bin, conf)
	}, func(c net.Conn) bool {
		b := make([]byte, 3)
		n, _ := c.Read(b)
		return string(b[:n]) == "220"
	})
	return &Vsftpd{Addr: addr, Root: root, Pub: pub}
}
