package ftpserver_test

import (
	"bytes"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/ftpserver"
)

func need(t *testing.T, prog, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(prog)
	if err != nil {
		t.Skipf("%s is not installed (apt package %s)", prog, pkg)
	}
	return p
}

// TestCurl drives the server with curl in each mode, up and down.
func TestCurl(t *testing.T) {
	curl := need(t, "curl", "curl")
	hub := newHub()
	srv, addr, _ := startServer(t, ftpserver.Options{
		Tap:     hub.Tap(hub.Registry().Lookup("ftp")),
		DataTap: hub.Tap(hub.Registry().Lookup("ftp-data")),
	})
	readme, _ := os.ReadFile(filepath.Join(srv.Root, "README.txt"))
	upload := filepath.Join(t.TempDir(), "up.bin")
	os.WriteFile(upload, bytes.Repeat([]byte("0123456789\n"), 10000), 0o644)
	for _, mode := range []struct {
		name string
		args []string
	}{
		{"EPSV", nil},
		{"PASV", []string{"--ftp-pasv", "--disable-epsv"}},
		{"EPRT", []string{"--ftp-port", "-"}},
		{"PORT", []string{"--ftp-port", "-", "--disable-eprt"}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			run := func(args ...string) []byte {
				t.Helper()
				cmd := exec.Command(curl, append(append([]string{"-sS", "--max-time", "20"}, mode.args...), args...)...)
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("curl %q: %v\n%s", args, err, out)
				}
				return out
			}
			if got := run("ftp://lab:lab@" + addr + "/README.txt"); !bytes.Equal(got, readme) {
				t.Errorf("download = %d bytes, want README's %d", len(got), len(readme))
			}
			name := "up-" + mode.name + ".bin"
			run("-T", upload, "ftp://lab:lab@"+addr+"/pub/"+name)
			got, _ := os.ReadFile(filepath.Join(srv.Root, "pub", name))
			want, _ := os.ReadFile(upload)
			if !bytes.Equal(got, want) {
				t.Errorf("upload: %d bytes arrived, want %d", len(got), len(want))
			}
			if list := run("ftp://anonymous:x@" + addr + "/pub/"); !strings.Contains(string(list), name) {
				t.Errorf("listing = %q, want %s", list, name)
			}
		})
	}
	// The hub shows each data connection under its control connection, labelled.
	hub.Settle()
	labels := map[string]int{}
	ctrls := map[lab.ConvID]bool{}
	for _, ci := range hub.Conversations() {
		if ci.Protocol == "ftp" {
			ctrls[ci.ID] = true
		}
	}
	for _, ci := range hub.Conversations() {
		if ci.Protocol != "ftp-data" {
			continue
		}
		if !ctrls[ci.Link.Parent] {
			t.Errorf("data conversation %d has parent %d, not a control connection", ci.ID, ci.Link.Parent)
		}
		labels[strings.Fields(ci.Link.Text())[0]]++
	}
	if labels["RETR"] != 4 || labels["STOR"] != 4 || labels["LIST"] != 4 {
		t.Errorf("data conversations by command = %v, want 4 RETR, 4 STOR, 4 LIST", labels)
	}
}

const pythonScript = `
import ftplib, io, sys
host, port, passive = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "passive"
f = ftplib.FTP()
f.connect(host, port, timeout=20)
f.login("lab", "lab")
f.set_pasv(passive)
assert "README.txt" in f.nlst(), f.nlst()
lines = []
f.retrlines("LIST pub", lines.append)
assert any("hello.txt" in l for l in lines), lines
buf = io.BytesIO()
f.retrbinary("RETR logo.png", buf.write)
assert buf.getvalue()[:8] == b"\x89PNG\r\n\x1a\n", buf.getvalue()[:8]
f.storbinary("STOR py.bin", io.BytesIO(b"\x00\x01\r\n" * 5000))
assert f.size("py.bin") == 20000, f.size("py.bin")
f.rename("py.bin", "py2.bin")
f.mkd("pydir")
f.cwd("pydir")
f.cwd("..")
f.rmd("pydir")
f.delete("py2.bin")
try:
    f.cwd("../..")
    sys.exit("CWD ../.. succeeded")
except ftplib.error_perm as e:
    assert str(e).startswith("550"), e
f.quit()
print("ok")
`

// TestPythonFtplib drives the server with Python's ftplib, passive and active.
func TestPythonFtplib(t *testing.T) {
	py := need(t, "python3", "python3")
	_, addr, _ := startServer(t, ftpserver.Options{})
	host, port, _ := strings.Cut(addr, ":")
	for _, mode := range []string{"passive", "active"} {
		t.Run(mode, func(t *testing.T) {
			out, err := exec.Command(py, "-c", pythonScript, host, port, mode).CombinedOutput()
			if err != nil || strings.TrimSpace(string(out)) != "ok" {
				t.Errorf("ftplib (%s): %v\n%s", mode, err, out)
			}
		})
	}
}

// TestXXH128sumMatchesCaptureSummary: a file past the data connection's
// capture limit, fetched by curl, ends with the lab's summary of what it did
// not keep, and that summary's XXH128 is what xxh128sum prints for the file
// curl saved.
func TestXXH128sumMatchesCaptureSummary(t *testing.T) {
	curl := need(t, "curl", "curl")
	xxh128sum := need(t, "xxh128sum", "xxhash")
	hub := newHub()
	root := seededRoot(t)
	big := make([]byte, 3<<20+12345) // past ftp.DataCaptureLimit, and not a whole number of reads
	rand.Read(big)
	if err := os.WriteFile(filepath.Join(root, "pub", "big.bin"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	_, addr, _ := startServer(t, ftpserver.Options{
		Root:    root,
		Tap:     hub.Tap(hub.Registry().Lookup("ftp")),
		DataTap: hub.Tap(hub.Registry().Lookup("ftp-data")),
	})
	saved := filepath.Join(t.TempDir(), "big.bin")
	if out, err := exec.Command(curl, "-sS", "--max-time", "20", "-o", saved, "ftp://lab:lab@"+addr+"/pub/big.bin").CombinedOutput(); err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	out, err := exec.Command(xxh128sum, saved).Output()
	if err != nil {
		t.Fatalf("xxh128sum: %v", err)
	}
	want, _, _ := strings.Cut(string(out), " ")
	var got []string
	deadline := time.Now().Add(10 * time.Second)
	for len(got) == 0 && time.Now().Before(deadline) {
		hub.Settle()
		for _, ci := range hub.Conversations() {
			if ci.Protocol != "ftp-data" {
				continue
			}
			for _, e := range hub.ConvEvents(ci.ID) {
				if e.Msg == nil || e.Dir != lab.ServerToClient {
					continue
				}
				for _, f := range e.Msg.Fields {
					if f.Name == "XXH128" {
						got = append(got, f.Value)
					}
				}
			}
		}
		if len(got) == 0 {
			time.Sleep(20 * time.Millisecond)
		}
	}
	if len(got) != 1 || got[0] != want {
		t.Errorf("the capture summary's XXH128 = %q, want xxh128sum's %s", got, want)
	}
}
