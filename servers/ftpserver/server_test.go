package ftpserver_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/protocollab/protolab/servers/ftpserver"
)

func TestLoginAndBasics(t *testing.T) {
	_, addr, _ := startServer(t, ftpserver.Options{})
	cc := dial(t, addr)
	cc.cmd(530, "PWD")
	cc.cmd(503, "PASS x")
	cc.cmd(331, "USER lab")
	cc.cmd(530, "PASS wrong")
	cc.cmd(331, "USER lab")
	cc.cmd(230, "PASS lab")
	if r := cc.cmd(257, "PWD"); !strings.Contains(r.Lines[0], `"/"`) {
		t.Errorf("PWD = %q, want \"/\"", r)
	}
	cc.cmd(215, "SYST")
	if r := cc.cmd(211, "FEAT"); !slices.Contains(r.Lines, " EPSV") || !slices.Contains(r.Lines, " MLST type*;size*;modify*;perm*;") {
		t.Errorf("FEAT = %q", r.Lines)
	}
	cc.cmd(200, "OPTS UTF8 ON")
	cc.cmd(250, "CWD pub")
	cc.cmd(257, "PWD")
	cc.cmd(250, "CDUP")
	cc.cmd(200, "TYPE I")
	if r := cc.cmd(213, "SIZE pub/hello.txt"); r.Lines[0] != "187" {
		t.Errorf("SIZE in TYPE I = %q, want 187", r.Lines[0])
	}
	cc.cmd(200, "TYPE A")
	if r := cc.cmd(213, "SIZE pub/hello.txt"); r.Lines[0] != "190" {
		t.Errorf("SIZE in TYPE A = %q, want 190 (three LFs become CRLF)", r.Lines[0])
	}
	cc.cmd(213, "MDTM README.txt")
	cc.cmd(200, "MODE S")
	cc.cmd(504, "MODE B")
	cc.cmd(200, "STRU F")
	cc.cmd(504, "STRU R")
	cc.cmd(504, "TYPE E")
	if r := cc.cmd(250, "MLST pub/hello.txt"); len(r.Lines) != 3 || !strings.Contains(r.Lines[1], "type=file;size=187;") {
		t.Errorf("MLST = %q", r.Lines)
	}
	cc.cmd(214, "HELP")
	cc.cmd(211, "STAT")
	cc.cmd(213, "STAT pub")
	cc.cmd(200, "NOOP")
	cc.cmd(225, "ABOR")
	cc.cmd(502, "SITE CHMOD 777 x")
	cc.cmd(500, "NOT-A-VERB")
	cc.cmd(425, "RETR README.txt")
	cc.cmd(221, "QUIT")
}

func TestTransfers(t *testing.T) {
	srv, addr, _ := startServer(t, ftpserver.Options{})
	root := srv.Root
	cc := login(t, addr, "lab", "lab")
	cc.cmd(200, "TYPE I")
	want, _ := os.ReadFile(filepath.Join(root, "logo.png"))
	if got := cc.retr("logo.png"); got != string(want) {
		t.Errorf("RETR logo.png: %d bytes, want the file's %d", len(got), len(want))
	}
	// REST then RETR: the rest of the file.
	cc.cmd(350, "REST 100")
	if got := cc.retr("logo.png"); got != string(want[100:]) {
		t.Errorf("REST 100 + RETR: %d bytes, want %d", len(got), len(want)-100)
	}
	// TYPE A turns LF into CRLF.
	cc.cmd(200, "TYPE A")
	hello, _ := os.ReadFile(filepath.Join(root, "pub/hello.txt"))
	if got, want := cc.retr("pub/hello.txt"), strings.ReplaceAll(string(hello), "\n", "\r\n"); got != want {
		t.Errorf("RETR in TYPE A = %q, want %q", got, want)
	}
	// STOR in TYPE A turns CRLF into LF; APPE adds; MLSD lists it.
	d := cc.pasv()
	cc.cmd(150, "STOR notes.txt")
	io.WriteString(d, "one\r\ntwo\r\n")
	d.Close()
	cc.expect(226)
	d = cc.pasv()
	cc.cmd(150, "APPE notes.txt")
	io.WriteString(d, "three\r\n")
	d.Close()
	cc.expect(226)
	if got, _ := os.ReadFile(filepath.Join(root, "notes.txt")); string(got) != "one\ntwo\nthree\n" {
		t.Errorf("notes.txt = %q, want %q", got, "one\ntwo\nthree\n")
	}
	d = cc.pasv()
	cc.cmd(150, "MLSD")
	b, _ := io.ReadAll(d)
	cc.expect(226)
	if !strings.Contains(string(b), "type=file;size=14;") || !strings.Contains(string(b), " notes.txt\r\n") {
		t.Errorf("MLSD = %q, want notes.txt of 14 bytes", b)
	}
	if names := cc.nlst(""); !slices.Contains(names, "notes.txt") || !slices.Contains(names, "pub") {
		t.Errorf("NLST = %q", names)
	}
	// Active mode.
	l := cc.active()
	cc.cmd(150, "RETR README.txt")
	c, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(c)
	c.Close()
	cc.expect(226)
	if !strings.Contains(string(b), "Welcome") {
		t.Errorf("active RETR = %q", b)
	}
	cc.cmd(257, "MKD new")
	cc.cmd(550, "MKD new")
	cc.cmd(350, "RNFR notes.txt")
	cc.cmd(250, "RNTO new/notes.txt")
	cc.cmd(503, "RNTO again.txt")
	cc.cmd(550, "RMD new")
	cc.cmd(550, "DELE new")
	cc.cmd(250, "DELE new/notes.txt")
	cc.cmd(250, "RMD new")
	if _, err := os.Stat(filepath.Join(root, "new")); !os.IsNotExist(err) {
		t.Errorf("new still exists: %v", err)
	}
}

func TestAnonymousIsReadOnly(t *testing.T) {
	srv, addr, _ := startServer(t, ftpserver.Options{})
	cc := login(t, addr, "anonymous", "me@example.test")
	if got := cc.retr("README.txt"); !strings.Contains(got, "Welcome") {
		t.Errorf("RETR = %q", got)
	}
	for _, c := range []string{"STOR x.txt", "APPE README.txt", "DELE README.txt", "MKD d", "RMD pub", "RNFR README.txt"} {
		cc.cmd(550, c)
	}
	if _, err := os.Stat(filepath.Join(srv.Root, "README.txt")); err != nil {
		t.Error(err)
	}
}

// An upload aborted or cut short leaves nothing under its name.
func TestAbortedUploadLeavesNoFile(t *testing.T) {
	srv, addr, _ := startServer(t, ftpserver.Options{})
	cc := login(t, addr, "lab", "lab")
	cc.cmd(200, "TYPE I")
	d := cc.pasv()
	cc.cmd(150, "STOR big.bin")
	io.WriteString(d, strings.Repeat("x", 100000))
	cc.send("ABOR")
	cc.expect(426)
	cc.expect(226)
	d.Close()
	// A data connection reset midway.
	d = cc.pasv()
	cc.cmd(150, "STOR big.bin")
	io.WriteString(d, "partial")
	d.(interface{ SetLinger(int) error }).SetLinger(0)
	d.Close()
	cc.expect(426)
	cc.cmd(200, "NOOP")
	entries, _ := os.ReadDir(srv.Root)
	for _, e := range entries {
		if strings.Contains(e.Name(), "big.bin") {
			t.Errorf("after aborted uploads the root holds %s", e.Name())
		}
	}
	// A download aborted midway: 426 then 226.
	os.WriteFile(filepath.Join(srv.Root, "huge.bin"), make([]byte, 64<<20), 0o644)
	d = cc.pasv()
	cc.cmd(150, "RETR huge.bin")
	io.ReadFull(d, make([]byte, 1000))
	cc.send("ABOR")
	cc.expect(426)
	cc.expect(226)
	cc.cmd(200, "NOOP")
}

func TestShutdownAndMaxClients(t *testing.T) {
	srv, addr, _ := startServer(t, ftpserver.Options{MaxClients: 1})
	cc := login(t, addr, "lab", "lab")
	second := dialRaw(t, addr)
	if r := second.read(); r.Code != 421 {
		t.Errorf("second client's greeting = %q, want 421", r)
	}
	if n := srv.Sessions(); n != 1 {
		t.Errorf("Sessions = %d, want 1", n)
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := cc.read(); r.Code != 421 {
		t.Errorf("after Shutdown = %q, want 421", r)
	}
	if n := srv.Sessions(); n != 0 {
		t.Errorf("Sessions after Shutdown = %d, want 0", n)
	}
}
