package ftpserver_test

import (
	"errors"
	"io"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jlaffaye/ftp"

	"github.com/protocollab/protolab/servers/ftpserver"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// code is an FTP error's reply code (0 when err is not one).
func code(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

// TestWindowsNames sends every Windows form with each command that takes a
// path, through jlaffaye/ftp: each is refused with 550, or 553 where it would
// name a file, the reply says why, and nothing inside or outside the root is made,
// changed or removed. Files with such names made here are listed but not opened.
func TestWindowsNames(t *testing.T) {
	servertest.SkipOnWindows(t)
	root := seededRoot(t)
	base := filepath.Dir(root)
	os.WriteFile(filepath.Join(base, "secret.txt"), []byte("outside"), 0o644)
	for _, name := range []string{"secret.txt", "secret.txt.", "CON", "a:b"} {
		if err := os.WriteFile(filepath.Join(root, name), []byte("made on Linux"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before := servertest.Tree(t, base)
	_, addr, logs := startServer(t, ftpserver.Options{Root: root})
	c, err := ftp.Dial(addr, ftp.DialWithTimeout(20*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Quit()
	if err := c.Login("lab", "lab"); err != nil {
		t.Fatal(err)
	}
	body := func() io.Reader { return strings.NewReader("x") }
	for _, name := range servertest.WindowsForms {
		for _, op := range []struct {
			verb string
			want int
			do   func() error
		}{
			{"RETR", 550, func() error {
				r, err := c.Retr(name)
				if err == nil {
					r.Close()
				}
				return err
			}},
			{"STOR", 553, func() error { return c.Stor(name, body()) }},
			{"APPE", 553, func() error { return c.Append(name, body()) }},
			{"CWD", 550, func() error { return c.ChangeDir(name) }},
			{"DELE", 550, func() error { return c.Delete(name) }},
			{"MKD", 550, func() error { return c.MakeDir(name) }},
			{"RNFR", 550, func() error { return c.Rename(name, "renamed.txt") }},
			{"RNTO", 553, func() error { return c.Rename("README.txt", name) }},
		} {
			err := op.do()
			if code(err) != op.want {
				t.Errorf("%s %q = %v, want %d", op.verb, name, err, op.want)
				continue
			}
			if msg := err.Error(); !strings.Contains(msg, "refused") || !strings.Contains(msg, "Windows") {
				t.Errorf("%s %q: reply %q does not say why", op.verb, name, msg)
			}
		}
	}
	if dir, err := c.CurrentDir(); err != nil || dir != "/" {
		t.Errorf("PWD = %q, %v; want /", dir, err)
	}
	if after := servertest.Tree(t, base); !slices.Equal(before, after) {
		t.Errorf("the folders changed:\nbefore %q\nafter  %q", before, after)
	}
	// Listed as they are, so a person sees what the folder holds.
	names, err := c.NameList("/")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CON", "secret.txt.", "a:b", "README.txt"} {
		if !slices.Contains(names, want) {
			t.Errorf("NLST / = %q, want %q in it", names, want)
		}
	}
	// Ordinary names work as before.
	r, err := c.Retr("secret.txt")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if string(got) != "made on Linux" {
		t.Errorf("RETR secret.txt = %q", got)
	}
	for _, name := range servertest.OrdinaryNames {
		if err := c.Stor("pub/"+name, body()); err != nil {
			t.Errorf("STOR %q: %v", name, err)
		}
		if err := c.Delete("pub/" + name); err != nil {
			t.Errorf("DELE %q: %v", name, err)
		}
	}
	if n := strings.Count(logs.String(), "refused"); n < len(servertest.WindowsForms) {
		t.Errorf("%d refusals logged, want at least %d", n, len(servertest.WindowsForms))
	}
}

const pythonWindowsScript = `
import ftplib, io, sys
f = ftplib.FTP()
f.connect(sys.argv[1], int(sys.argv[2]), timeout=20)
f.login("lab", "lab")
for name, code, do in [
    ("a\\..\\..\\x", "550", lambda n: f.retrbinary("RETR " + n, lambda b: None)),
    ("C:\\x", "550", lambda n: f.cwd(n)),
    ("CON.txt", "553", lambda n: f.storbinary("STOR " + n, io.BytesIO(b"x"))),
    ("README.txt::$DATA", "550", lambda n: f.delete(n)),
    ("secret.txt.", "550", lambda n: f.mkd(n)),
]:
    try:
        do(name)
        sys.exit(name + ": not refused")
    except ftplib.error_perm as e:
        assert str(e).startswith(code) and "Windows" in str(e), (name, str(e))
f.storbinary("STOR con-notes.txt", io.BytesIO(b"x"))
f.delete("con-notes.txt")
f.quit()
print("ok")
`

// TestPythonWindowsNames: Python's ftplib sees the refusals as permanent errors
// (5xx) with the reason.
func TestPythonWindowsNames(t *testing.T) {
	py := need(t, "python3", "python3")
	root := seededRoot(t)
	before := servertest.Tree(t, root)
	_, addr, _ := startServer(t, ftpserver.Options{Root: root})
	host, port, _ := strings.Cut(addr, ":")
	out, err := exec.Command(py, "-c", pythonWindowsScript, host, port).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Errorf("ftplib: %v\n%s", err, out)
	}
	if after := servertest.Tree(t, root); !slices.Equal(before, after) {
		t.Errorf("the root changed:\nbefore %q\nafter  %q", before, after)
	}
}
