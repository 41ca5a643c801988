package ftpserver_test

import (
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/protocollab/protolab/servers/ftpserver"
)

// optsMLSTTests: what OPTS MLST answers (RFC 3659 §7.9), and then what FEAT,
// MLST and MLSD show.
var optsMLSTTests = []struct {
	opts, answer, feat, mlst, mlsd string
}{
	{"OPTS MLST type;size;", "MLST OPTS type;size;", " MLST type*;size*;modify;perm;",
		" type=file;size=187; /pub/hello.txt", "type=file;size=187; hello.txt\r\n"},
	{"OPTS MLST Modify;no-such-fact;", "MLST OPTS modify;", " MLST type;size;modify*;perm;",
		" modify=", "modify="},
	{"OPTS MLST perm;type", "MLST OPTS type;perm;", " MLST type*;size;modify;perm*;",
		" type=file;perm=radfw; /pub/hello.txt", "type=file;perm=radfw; hello.txt\r\n"},
	{"OPTS MLST", "MLST OPTS", " MLST type;size;modify;perm;",
		"  /pub/hello.txt", " hello.txt\r\n"},
	{"OPTS MLST type;size;modify;perm;", "MLST OPTS type;size;modify;perm;", " MLST type*;size*;modify*;perm*;",
		" type=file;size=187;perm=radfw;modify=", "type=file;size=187;perm=radfw;modify="},
}

// TestOPTSMLST chooses facts, one choice after another on one session.
func TestOPTSMLST(t *testing.T) {
	_, addr, _ := startServer(t, ftpserver.Options{})
	cc := login(t, addr, "lab", "lab")
	for _, tt := range optsMLSTTests {
		if r := cc.cmd(200, tt.opts); r.Text() != tt.answer {
			t.Errorf("%s = %q, want %q", tt.opts, r.Text(), tt.answer)
		}
		if r := cc.cmd(211, "FEAT"); !slices.Contains(r.Lines, tt.feat) {
			t.Errorf("after %s, FEAT = %q, want %q", tt.opts, r.Lines, tt.feat)
		}
		if r := cc.cmd(250, "MLST /pub/hello.txt"); len(r.Lines) != 3 || !strings.HasPrefix(r.Lines[1], tt.mlst) {
			t.Errorf("after %s, MLST = %q, want %q...", tt.opts, r.Lines, tt.mlst)
		}
		d := cc.pasv()
		cc.cmd(150, "MLSD /pub")
		b, _ := io.ReadAll(d)
		cc.expect(226)
		if !strings.Contains(string(b), tt.mlsd) {
			t.Errorf("after %s, MLSD = %q, want %q", tt.opts, b, tt.mlsd)
		}
	}
	cc.cmd(501, "OPTS MLST type; size;")
	if r := cc.cmd(250, "MLST /pub/hello.txt"); !strings.HasPrefix(r.Lines[1], " type=file;size=187;perm=radfw;modify=") {
		t.Errorf("a refused OPTS MLST changed the facts: MLST = %q", r.Lines)
	}
}

const ftplibMLSTScript = `
import ftplib, sys
f = ftplib.FTP()
f.connect(sys.argv[1], int(sys.argv[2]), timeout=20)
f.login("lab", "lab")
assert f.sendcmd("OPTS MLST type;size;") == "200 MLST OPTS type;size;", f.lastresp
entries = dict(f.mlsd("pub"))
assert sorted(entries["hello.txt"]) == ["size", "type"], entries["hello.txt"]
assert entries["hello.txt"]["size"] == "187", entries["hello.txt"]
resp = f.sendcmd("MLST pub/hello.txt").splitlines()
assert resp[1] == " type=file;size=187; /pub/hello.txt", resp
entries = dict(f.mlsd("pub", facts=["modify"]))
assert sorted(entries["hello.txt"]) == ["modify"], entries["hello.txt"]
f.quit()
print("ok")
`

// TestPythonMLST: Python's ftplib chooses facts with OPTS MLST, itself and
// through mlsd(facts=...), and gets only those.
func TestPythonMLST(t *testing.T) {
	py := need(t, "python3", "python3")
	_, addr, _ := startServer(t, ftpserver.Options{})
	host, port, _ := strings.Cut(addr, ":")
	out, err := exec.Command(py, "-c", ftplibMLSTScript, host, port).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Errorf("ftplib: %v\n%s", err, out)
	}
}
