package ftpserver_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protocollab/protolab/servers/ftpserver"
)

// TestJail tries every escape from the root we could think of: each is refused
// with 550 and logged, and the files outside stay as they were.
func TestJail(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.txt")
	os.WriteFile(secret, []byte("outside"), 0o644)
	root := seededRoot(t)
	// Symbolic links that point out of the root: to a folder and to a file.
	if err := os.Symlink(outside, filepath.Join(root, "out")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	os.Symlink(secret, filepath.Join(root, "secret-link"))
	os.Symlink("/tmp", filepath.Join(root, "tmp-link"))
	// A link that stays inside is fine.
	os.Symlink("pub", filepath.Join(root, "pub-link"))
	// The root is reached through its folder's parent name too: root/../<root name>.
	rel := "../" + filepath.Base(root) + "/README.txt"

	_, addr, logs := startServer(t, ftpserver.Options{Root: root})
	cc := login(t, addr, "lab", "lab")
	cc.cmd(200, "TYPE I")
	refused := []string{
		"CWD ..",
		"CWD ../..",
		"CWD /../../etc",
		"CWD out",
		"CWD tmp-link",
		"CWD pub/../../",
		"RETR ../secret.txt",
		"RETR /../../etc/passwd",
		"RETR out/secret.txt",
		"RETR secret-link",
		"RETR " + rel,
		"SIZE secret-link",
		"MDTM out/secret.txt",
		"MLST out",
		"STAT out",
		"DELE out/secret.txt",
		"DELE ../x",
		"MKD ../x",
		"MKD out/newdir",
		"RMD ../" + filepath.Base(outside),
		"RNFR secret-link/../..",
		"STOR ../evil.txt",
		"STOR /../evil.txt",
		"STOR out/evil.txt",
		"APPE out/secret.txt",
		"LIST ..",
		"LIST out",
		"NLST -la ../..",
		"MLSD out",
	}
	for _, c := range refused {
		cc.send(c)
		r := cc.read()
		if r.Code != 550 {
			t.Errorf("%s = %q, want 550", c, r)
		}
	}
	// RNFR inside, RNTO out of the root.
	cc.cmd(350, "RNFR README.txt")
	cc.cmd(550, "RNTO ../README.txt")
	cc.cmd(350, "RNFR README.txt")
	cc.cmd(550, "RNTO out/README.txt")
	// After all that, still in "/", and a link inside the root works.
	if r := cc.cmd(257, "PWD"); !strings.Contains(r.Lines[0], `"/"`) {
		t.Errorf("PWD = %q", r)
	}
	if got := cc.retr("pub-link/hello.txt"); !strings.Contains(got, "Hello") {
		t.Errorf("RETR through a link inside the root = %q", got)
	}
	// Absolute paths are the root's: "/pub" is root/pub.
	cc.cmd(250, "CWD /pub")
	cc.cmd(250, "CWD /")

	if b, _ := os.ReadFile(secret); string(b) != "outside" {
		t.Errorf("secret.txt = %q, want it untouched", b)
	}
	entries, _ := os.ReadDir(outside)
	if len(entries) != 1 {
		t.Errorf("the folder outside holds %d entries, want 1", len(entries))
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(root), "evil.txt")); !os.IsNotExist(err) {
		t.Errorf("evil.txt was written beside the root: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "README.txt")); err != nil {
		t.Errorf("README.txt moved: %v", err)
	}
	if n := strings.Count(logs.String(), "outside the served folder"); n < len(refused) {
		t.Errorf("%d escapes logged, want at least %d:\n%s", n, len(refused), logs)
	}
}

// TestNoBounce checks that active mode connects only to the client's own address.
func TestNoBounce(t *testing.T) {
	_, addr, logs := startServer(t, ftpserver.Options{})
	cc := login(t, addr, "lab", "lab")
	for _, tt := range []struct {
		cmd  string
		code int
	}{
		{"PORT 127,0,0,2,200,10", 504},
		{"PORT 10,0,0,1,200,10", 504},
		{"PORT 127,0,0,1,0,21", 504}, // a privileged port on the client itself
		{"PORT 1,2,3", 501},
		{"EPRT |1|127.0.0.2|51210|", 504},
		{"EPRT |1|10.0.0.1|51210|", 504},
		{"EPRT |2|::1|51210|", 522},
		{"EPRT |1|127.0.0.1|25|", 504},
		{"EPRT |3|x|1|", 501},
		{"EPSV 2", 522},
	} {
		cc.send(tt.cmd)
		if r := cc.read(); r.Code != tt.code {
			t.Errorf("%s = %q, want %d", tt.cmd, r, tt.code)
		}
	}
	// No transfer may start after a refused PORT.
	cc.cmd(425, "RETR README.txt")
	if !strings.Contains(logs.String(), "FTP bounce") {
		t.Errorf("the bounce attempts were not logged:\n%s", logs)
	}
	// EPSV ALL locks out the others.
	cc.cmd(200, "EPSV ALL")
	cc.cmd(503, "PASV")
	cc.cmd(503, "PORT 127,0,0,1,200,10")
	_ = io.EOF
}
