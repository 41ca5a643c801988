package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
)

// TestServeFiles runs `serve --only ftp,sftp` and drives it with Python's ftplib
// in both modes and OpenSSH's sftp (skipped where missing): the JSON log shows
// the FTP session with its data connections, and SSH's clear start.
func TestServeFiles(t *testing.T) {
	labdirtest.Shared(t)
	r := startServe(t, "--only", "ftp,sftp", "--port", "ftp=0,sftp=0", "--json")
	addrs := map[string]string{}
	for range 2 {
		var rec lab.Record
		if l := r.next(t); json.Unmarshal([]byte(l), &rec) != nil || rec.Event != "listening" {
			t.Fatalf("line %q, want a listening line", l)
		}
		addrs[rec.Protocol] = rec.Addr
	}
	host, port, _ := strings.Cut(addrs["ftp"], ":")
	py := `import ftplib, sys
for passive in (True, False):
    f = ftplib.FTP()
    f.connect(sys.argv[1], int(sys.argv[2]), timeout=10)
    f.login("lab", "lab")
    f.set_pasv(passive)
    names = f.nlst()
    data = []
    f.retrbinary("RETR README.txt", data.append)
    f.quit()
    print(passive, "README.txt" in names, len(b"".join(data)) > 0)`
	out, err := exec.Command("python3", "-c", py, host, port).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "True True True\nFalse True True" {
		t.Fatalf("python ftplib: %v\n%s", err, out)
	}
	sftpDone := false
	if _, err := exec.LookPath("sshpass"); err == nil {
		if sftp, err := exec.LookPath("sftp"); err == nil {
			batch := filepath.Join(t.TempDir(), "batch")
			os.WriteFile(batch, []byte("ls\nget README.txt "+filepath.Join(t.TempDir(), "r.txt")+"\n"), 0o644)
			host, port, _ := strings.Cut(addrs["sftp"], ":")
			cmd := exec.Command("sshpass", "-p", "lab", sftp, "-o", "BatchMode=no", "-b", batch, "-P", port,
				"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "lab@"+host)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("OpenSSH sftp: %v\n%s", err, out)
			}
			sftpDone = true
		}
	}

	seen := map[string]bool{}
	deadline := time.After(10 * time.Second)
	for !(seen["ftp ftp message"] && seen["ftp-data open"] && (!sftpDone || seen["sftp sftp message"])) {
		select {
		case <-deadline:
			t.Fatalf("seen %v; want FTP messages, data connections and SFTP operations", seen)
		default:
		}
		rec := r.record(t)
		switch rec.Event {
		case "message", "handshake":
			seen[rec.Protocol+" "+rec.Layer+" message"] = true
		case "open":
			seen[rec.Protocol+" open"] = true
		}
	}
	r.cancel()
	for range r.lines {
	}
	if code := <-r.code; code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}
