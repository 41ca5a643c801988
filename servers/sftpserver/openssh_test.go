package sftpserver_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
)

// TestOpenSSH drives OpenSSH's sftp in batch mode against the server. OpenSSH
// reads a password only from a terminal, so sshpass gives it one.
func TestOpenSSH(t *testing.T) {
	sftpPath, err := exec.LookPath("sftp")
	if err != nil {
		t.Skip("OpenSSH's sftp is not installed (Debian package openssh-client)")
	}
	sshpass, err := exec.LookPath("sshpass")
	if err != nil {
		t.Skip("sshpass is not installed (Debian package sshpass): OpenSSH's sftp cannot take a password otherwise")
	}
	tl := newTestLab()
	f := newFolders(t)
	srv, addr := testServer(t, tl.tap, f)
	_, port, _ := strings.Cut(addr, ":")

	local := t.TempDir()
	up := bytes.Repeat([]byte("upload "), 20000)
	if err := os.WriteFile(filepath.Join(local, "up.bin"), up, 0o644); err != nil {
		t.Fatal(err)
	}
	batch := fmt.Sprintf(`pwd
ls -l
get pub/photo.bin %[1]s/photo.bin
put %[1]s/up.bin up.bin
rename up.bin moved.bin
mkdir d
rmdir d
chmod 600 moved.bin
get moved.bin %[1]s/back.bin
rm moved.bin
-get escape %[1]s/escape
-get ../outside.txt %[1]s/outside
ls
`, local)
	batchFile := filepath.Join(local, "batch")
	if err := os.WriteFile(batchFile, []byte(batch), 0o644); err != nil {
		t.Fatal(err)
	}
	// sftp -b sets BatchMode, which forbids asking for a password: -o BatchMode=no,
	// given first, wins (ssh keeps the first value of an option).
	cmd := exec.Command(sshpass, "-p", "lab", sftpPath, "-o", "BatchMode=no", "-b", batchFile, "-P", port,
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "PreferredAuthentications=password", "-o", "PubkeyAuthentication=no", "lab@127.0.0.1")
	out, err := cmd.CombinedOutput()
	if testing.Verbose() || err != nil {
		t.Logf("sftp:\n%s", out)
	}
	if err != nil {
		t.Fatalf("sftp: %v", err)
	}
	if got := readFile(t, filepath.Join(local, "photo.bin")); !bytes.Equal(got, readFile(t, filepath.Join(f.root, "pub/photo.bin"))) {
		t.Error("the downloaded photo.bin differs")
	}
	if got := readFile(t, filepath.Join(local, "back.bin")); !bytes.Equal(got, up) {
		t.Error("the uploaded file came back different")
	}
	for _, name := range []string{"escape", "outside"} {
		if _, err := os.Stat(filepath.Join(local, name)); err == nil {
			t.Errorf("sftp got %s from outside the root", name)
		}
	}
	if _, err := os.Stat(filepath.Join(f.root, "moved.bin")); !os.IsNotExist(err) {
		t.Errorf("moved.bin still in the root: %v", err)
	}
	f.checkOutside(t)

	// The server's tap alone sees the conversation: OpenSSH is outside the lab.
	srv.Close()
	convs := tl.hub.Conversations()
	if len(convs) != 1 {
		t.Fatalf("%d conversations, want 1", len(convs))
	}
	got := messages(tl.hub, convs[0].ID)
	for _, want := range [][]string{
		{"ssh → SSH-2.0-OpenSSH", "ssh → KEXINIT from the client", "ssh → NEWKEYS", "ssh → encrypted from here"},
		{"ssh ← SSH-2.0-Go", "ssh ← KEXINIT from the server", "ssh ← NEWKEYS", "ssh ← encrypted from here"},
		{"ssh → user lab logged in", "sftp → SFTP session started",
			"sftp → list /", "sftp → open /pub/photo.bin for reading", "sftp → read 11.7 KiB from /pub/photo.bin",
			"sftp → open /up.bin for writing", "sftp → write 136.7 KiB to /up.bin", "sftp → rename /up.bin → /moved.bin",
			"sftp → mkdir /d", "sftp → rmdir /d", "sftp → setstat /moved.bin: mode -rw-------", "sftp → open /moved.bin for reading", "sftp → remove /moved.bin",
			"sftp → stat /escape — refused"},
	} {
		if missing, ok := inOrder(got, want); !ok {
			t.Errorf("no message %q in order among\n%s", missing, strings.Join(got, "\n"))
		}
	}
	var kexinit *lab.Message
	for _, e := range tl.hub.ConvEvents(convs[0].ID) {
		if e.Msg != nil && strings.HasPrefix(e.Msg.Summary, "KEXINIT") && kexinit == nil {
			for _, fl := range e.Msg.Fields {
				if fl.Name == "negotiated kex" {
					kexinit = e.Msg
				}
			}
		}
	}
	if kexinit == nil {
		t.Error("no KEXINIT shows the negotiated algorithms")
	} else if testing.Verbose() {
		for _, fl := range kexinit.Fields {
			t.Logf("%s: %s", fl.Name, fl.Value)
		}
	}
}
