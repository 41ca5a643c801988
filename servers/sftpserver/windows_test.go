package sftpserver_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pkg/sftp"
	xssh "golang.org/x/crypto/ssh"

	"github.com/protocollab/protolab/clients/sftpclient"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// rawClient is pkg/sftp's own client, logged in to addr as the lab's user.
func rawClient(t *testing.T, addr string) *sftp.Client {
	t.Helper()
	sc, err := xssh.Dial("tcp", addr, &xssh.ClientConfig{
		User:            sftpclient.DefaultUser,
		Auth:            []xssh.AuthMethod{xssh.Password(sftpclient.DefaultPassword)},
		HostKeyCallback: xssh.InsecureIgnoreHostKey(),
		Timeout:         20 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sc.Close() })
	c, err := sftp.NewClient(sc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestWindowsNames sends every Windows form with each request that takes a
// path: each is refused with SSH_FX_FAILURE and a message that says why
// (pkg/sftp's client would show PERMISSION_DENIED without its message), and nothing inside or outside the root is made, changed or removed.
// Files with such names made here are listed, but not opened.
func TestWindowsNames(t *testing.T) {
	servertest.SkipOnWindows(t)
	f := newFolders(t)
	for _, name := range []string{"secret.txt", "secret.txt.", "CON", "a:b"} {
		if err := os.WriteFile(filepath.Join(f.root, name), []byte("made on Linux"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before := servertest.Tree(t, f.root)
	_, addr := testServer(t, nil, f)
	c := rawClient(t, addr)
	forms := append(slices.Clone(servertest.WindowsForms), "a\tb", "a\x01b", "line\r\n")
	for _, name := range forms {
		for _, op := range []struct {
			what string
			do   func() error
		}{
			{"open", func() error { _, err := c.Open(name); return err }},
			{"create", func() error { _, err := c.Create(name); return err }},
			{"append", func() error { _, err := c.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE); return err }},
			{"stat", func() error { _, err := c.Stat(name); return err }},
			{"lstat", func() error { _, err := c.Lstat(name); return err }},
			{"readdir", func() error { _, err := c.ReadDir(name); return err }},
			{"mkdir", func() error { return c.Mkdir(name) }},
			{"remove", func() error { return c.Remove(name) }},
			{"rmdir", func() error { return c.RemoveDirectory(name) }},
			{"rename from", func() error { return c.Rename(name, "renamed.txt") }},
			{"rename to", func() error { return c.Rename("hello.txt", name) }},
			{"posix-rename to", func() error { return c.PosixRename("hello.txt", name) }},
			{"chmod", func() error { return c.Chmod(name, 0o600) }},
			{"chtimes", func() error { return c.Chtimes(name, time.Now(), time.Now()) }},
		} {
			err := op.do()
			var se *sftp.StatusError
			if !errors.As(err, &se) || se.FxCode() != sftp.ErrSSHFxFailure {
				t.Errorf("%s %q = %v, want SSH_FX_FAILURE", op.what, name, err)
				continue
			}
			if msg := err.Error(); !strings.Contains(msg, "Windows treats specially") {
				t.Errorf("%s %q: %q does not say why", op.what, name, msg)
			}
		}
	}
	if after := servertest.Tree(t, f.root); !slices.Equal(before, after) {
		t.Errorf("the root changed:\nbefore %q\nafter  %q", before, after)
	}
	f.checkOutside(t)
	// Listed as they are, so a person sees what the folder holds.
	list, err := c.ReadDir("/")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, fi := range list {
		names = append(names, fi.Name())
	}
	for _, want := range []string{"CON", "secret.txt.", "a:b", "hello.txt"} {
		if !slices.Contains(names, want) {
			t.Errorf("list / = %q, want %q in it", names, want)
		}
	}
	// Ordinary names work as before.
	for _, name := range servertest.OrdinaryNames {
		w, err := c.Create("pub/" + name)
		if err == nil {
			_, err = w.Write([]byte("x"))
			if cerr := w.Close(); err == nil {
				err = cerr
			}
		}
		if err == nil {
			_, err = c.Stat("pub/" + name)
		}
		if err == nil {
			err = c.Remove("pub/" + name)
		}
		if err != nil {
			t.Errorf("%q: %v", name, err)
		}
	}
}
