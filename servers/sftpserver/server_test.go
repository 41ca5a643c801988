package sftpserver_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/protocollab/protolab/clients/sftpclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/servertest"
	"github.com/protocollab/protolab/servers/sftpserver"
)

func TestOperations(t *testing.T) {
	tl := newTestLab()
	f := newFolders(t)
	_, addr := testServer(t, tl.tap, f)
	c := dial(t, addr, sftpclient.Options{Tap: tl.tap})

	if got, err := c.Pwd(); err != nil || got != "/" {
		t.Errorf("Pwd = %q, %v; want /", got, err)
	}
	list, err := c.List("/")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, fi := range list {
		names = append(names, fi.Name())
	}
	slices.Sort(names)
	if got, want := strings.Join(names, " "), "escape hello.txt outdir pub"; got != want {
		t.Errorf("List / = %s, want %s", got, want)
	}

	var buf bytes.Buffer
	var last [2]int64
	n, err := c.Get("/pub/photo.bin", &buf, func(done, total int64) { last = [2]int64{done, total} })
	want := readFile(t, filepath.Join(f.root, "pub/photo.bin"))
	if err != nil || n != int64(len(want)) || !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("Get = %d bytes, %v; want the %d bytes of the file", n, err, len(want))
	}
	if last != [2]int64{12000, 12000} {
		t.Errorf("last progress = %v, want [12000 12000]", last)
	}

	up := bytes.Repeat([]byte("0123456789abcdef"), 100<<10/16+3)
	calls := 0
	n, err = c.Put("notes.txt", bytes.NewReader(up), int64(len(up)), func(done, total int64) {
		calls++
		last = [2]int64{done, total}
	})
	if err != nil || n != int64(len(up)) {
		t.Fatalf("Put = %d, %v; want %d", n, err, len(up))
	}
	if got := readFile(t, filepath.Join(f.root, "notes.txt")); !bytes.Equal(got, up) {
		t.Errorf("uploaded file has %d bytes, want the %d sent", len(got), len(up))
	}
	if calls == 0 || last != [2]int64{int64(len(up)), int64(len(up))} {
		t.Errorf("progress: %d calls, last %v", calls, last)
	}

	if err := c.Mkdir("d"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rename("notes.txt", "d/notes.txt"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rename("hello.txt", "d/notes.txt"); err == nil {
		t.Error("Rename onto an existing file succeeded; SFTP v3 says it fails")
	}
	if fi, err := c.Stat("d/notes.txt"); err != nil || fi.Size() != int64(len(up)) {
		t.Errorf("Stat = %v, %v", fi, err)
	}
	if err := c.RemoveDir("d"); err == nil {
		t.Error("RemoveDir of a folder that is not empty succeeded")
	}
	if err := c.Remove("d"); err == nil {
		t.Error("Remove of a folder succeeded")
	}
	if err := c.Remove("d/notes.txt"); err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveDir("d"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(f.root, "d")); !os.IsNotExist(err) {
		t.Errorf("d still there: %v", err)
	}
	conv := lab.ConnConversation(c.Conn()).ID()
	c.Close()
	f.checkOutside(t)

	got := messages(tl.hub, conv)
	// Each side sends its version line and KEXINIT without waiting for the
	// other's, so only each direction's order is fixed.
	for _, want := range [][]string{
		{"ssh → SSH-2.0-Go", "ssh → KEXINIT from the client", "ssh → KEX_HYBRID_INIT", "ssh → NEWKEYS", "ssh → encrypted from here", "ssh → user lab logged in"},
		{"ssh ← SSH-2.0-Go", "ssh ← KEXINIT from the server", "ssh ← KEX_HYBRID_REPLY: host key ssh-ed25519 SHA256:", "ssh ← NEWKEYS", "ssh ← encrypted from here", "ssh → user lab logged in"},
	} {
		if missing, ok := inOrder(got, want); !ok {
			t.Errorf("no message %q in order among\n%s", missing, strings.Join(got, "\n"))
		}
	}
	if missing, ok := inOrder(got, []string{
		"ssh → user lab logged in with a password",
		"sftp → SFTP session started for lab",
		"sftp → list /: 4 entries",
		"sftp → open /pub/photo.bin for reading", "sftp → read 11.7 KiB from /pub/photo.bin",
		"sftp → open /notes.txt for writing", "sftp → write 100.0 KiB to /notes.txt",
		"sftp → mkdir /d", "sftp → rename /notes.txt → /d/notes.txt", "sftp → rename /hello.txt → /d/notes.txt — failed",
		"sftp → rmdir /d — failed", "sftp → remove /d — failed", "sftp → remove /d/notes.txt",
		"sftp → rmdir /d",
		"ssh → connection closed by the client",
	}); !ok {
		t.Errorf("no message %q in order among\n%s", missing, strings.Join(got, "\n"))
	}
	if n := len(tl.hub.Conversations()); n != 1 {
		t.Errorf("%d conversations, want the client's and server's taps joined in 1", n)
	}
}

func TestJail(t *testing.T) {
	tl := newTestLab()
	f := newFolders(t)
	_, addr := testServer(t, tl.tap, f)
	c := dial(t, addr, sftpclient.Options{Tap: tl.tap})
	defer c.Close()

	for _, p := range []string{"../outside.txt", "/../../outside.txt", "pub/../../outside.txt",
		filepath.Join(f.base, "outside.txt"), "escape", "outdir/b.txt"} {
		var buf bytes.Buffer
		if _, err := c.Get(p, &buf, nil); err == nil || buf.Len() > 0 {
			t.Errorf("Get %s = %q, %v; want an error", p, buf.String(), err)
		}
	}
	for _, p := range []string{"outdir", "outdir/", "../", "/.."} {
		list, err := c.List(p)
		for _, fi := range list {
			if fi.Name() == "outside.txt" || fi.Name() == "b.txt" {
				t.Errorf("List %s shows %s from outside the root", p, fi.Name())
			}
		}
		if p == "outdir" && err == nil {
			t.Errorf("List %s succeeded", p)
		}
	}
	if _, err := c.Put("outdir/new.txt", strings.NewReader("x"), 1, nil); err == nil {
		t.Error("Put through a link out of the root succeeded")
	}
	if _, err := c.Put("escape", strings.NewReader("overwritten"), 11, nil); err == nil {
		t.Error("Put onto a link out of the root succeeded")
	}
	if err := c.Rename("hello.txt", "outdir/hello.txt"); err == nil {
		t.Error("Rename into a link out of the root succeeded")
	}
	if err := c.Mkdir("outdir/sub"); err == nil {
		t.Error("Mkdir through a link out of the root succeeded")
	}
	if err := c.Remove("outdir/b.txt"); err == nil {
		t.Error("Remove through a link out of the root succeeded")
	}
	// ".." cannot climb above "/": the file lands in the root.
	if err := c.Rename("hello.txt", "../../moved.txt"); err != nil {
		t.Errorf("Rename to ../../moved.txt = %v", err)
	}
	if _, err := os.Stat(filepath.Join(f.root, "moved.txt")); err != nil {
		t.Errorf("../../moved.txt is not /moved.txt in the root: %v", err)
	}
	var buf bytes.Buffer
	if _, err := c.Get("/pub/../moved.txt", &buf, nil); err != nil || buf.String() != "hello from the lab\n" {
		t.Errorf("Get /pub/../moved.txt = %q, %v", buf.String(), err)
	}
	f.checkOutside(t)

	_, err := c.Get("escape", io.Discard, nil)
	if !errors.Is(err, os.ErrPermission) {
		t.Errorf("Get escape = %v, want permission denied", err)
	}
	got := messages(tl.hub, lab.ConnConversation(c.Conn()).ID())
	if _, ok := inOrder(got, []string{"sftp → open /escape for reading — refused: /escape leads outside the served folder"}); !ok {
		t.Errorf("the refusal is not reported:\n%s", strings.Join(got, "\n"))
	}
}

func TestWrongPassword(t *testing.T) {
	f := newFolders(t)
	_, addr := testServer(t, nil, f)
	_, err := sftpclient.Dial(context.Background(), addr, sftpclient.Options{Password: "wrong"})
	if err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Errorf("Dial with a wrong password = %v", err)
	}
}

// TestWrongPasswordDelay: each wrong password from an address is refused after a
// longer wait than the one before; the right one starts the count again.
func TestWrongPasswordDelay(t *testing.T) {
	f := newFolders(t)
	srv, addr := testServer(t, nil, f)
	var delays servertest.AuthDelays
	sftpserver.ObserveAuthDelay(srv, delays.Observe)
	for _, pass := range []string{"wrong", "worse", "lab", "again"} {
		c, err := sftpclient.Dial(context.Background(), addr, sftpclient.Options{Password: pass})
		if err == nil {
			c.Close()
		}
	}
	if got, want := delays.Counts(), []int{1, 2, 1}; !slices.Equal(got, want) {
		t.Errorf("failures counted = %v, want %v", got, want)
	}
}

// failingReader gives some bytes, then cuts the connection under the upload.
type failingReader struct {
	c *sftpclient.Client
	n int
}

func (r *failingReader) Read(b []byte) (int, error) {
	if r.n >= 256<<10 {
		lab.Abort(r.c.Conn())
		return 0, errors.New("cut")
	}
	n := min(len(b), 4096)
	r.n += n
	return n, nil
}

func TestAbortedUploadLeavesNoFile(t *testing.T) {
	f := newFolders(t)
	srv, addr := testServer(t, nil, f)
	c := dial(t, addr, sftpclient.Options{})
	if _, err := c.Put("pub/a.txt", &failingReader{c: c}, -1, nil); err == nil {
		t.Fatal("Put of a cut upload succeeded")
	}
	c.Close()
	if err := srv.Shutdown(context.Background()); err != nil { // waits for the session to end
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Join(f.root, "pub"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != "a.txt photo.bin" {
		t.Errorf("pub holds %s, want a.txt photo.bin (no temporary file left)", got)
	}
	if got := string(readFile(t, filepath.Join(f.root, "pub/a.txt"))); got != "a\n" {
		t.Errorf("pub/a.txt = %q after a cut upload, want the old content", got)
	}
}
