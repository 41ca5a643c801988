package sftpserver_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protocollab/protolab/clients/sftpclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
	sshproto "github.com/protocollab/protolab/protocols/ssh"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/internal/servertest"
	"github.com/protocollab/protolab/servers/sftpserver"
)

// testLab is a hub that knows TCP and SFTP, and SFTP's tap.
type testLab struct {
	hub *lab.Hub
	tap *lab.Tap
}

func newTestLab() *testLab {
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	p := sshproto.Protocol()
	reg.Register(p)
	hub := lab.NewHub(lab.HubOptions{Registry: reg})
	return &testLab{hub: hub, tap: hub.Tap(p)}
}

// folders is a test's file tree: root is served; outside.txt, beside it, must stay
// out of reach, and the links escape and outdir in root point out of it.
type folders struct {
	base, root string
}

const secret = "outside the root: never to be read or changed\n"

func newFolders(t testing.TB) folders {
	t.Helper()
	base := t.TempDir()
	root := filepath.Join(base, "root")
	for name, data := range map[string]string{
		"hello.txt":       "hello from the lab\n",
		"pub/a.txt":       "a\n",
		"pub/photo.bin":   strings.Repeat("\x00\x01\x02\xff", 3000),
		"../outside.txt":  secret,
		"../outdir/b.txt": secret,
	} {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(base, "outside.txt"), filepath.Join(root, "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(base, "outdir"), filepath.Join(root, "outdir")); err != nil {
		t.Fatal(err)
	}
	return folders{base: base, root: root}
}

// checkOutside fails the test if anything outside the root changed.
func (f folders) checkOutside(t testing.TB) {
	t.Helper()
	for _, name := range []string{"outside.txt", "outdir/b.txt"} {
		b, err := os.ReadFile(filepath.Join(f.base, name))
		if err != nil || string(b) != secret {
			t.Errorf("%s = %q, %v; want it untouched", name, b, err)
		}
	}
	var names []string
	filepath.WalkDir(f.base, func(p string, d os.DirEntry, err error) error {
		if rel, _ := filepath.Rel(f.base, p); rel != "." && !strings.HasPrefix(rel, "root") {
			names = append(names, rel)
		}
		return nil
	})
	if got, want := strings.Join(names, " "), "outdir outdir/b.txt outside.txt"; got != want {
		t.Errorf("outside the root: %s, want %s", got, want)
	}
}

// testServer serves f.root on 127.0.0.1:0, tapped with tap (nil: untapped), with a
// host key in a configuration folder of the test's own, which the client's default
// host key check then trusts. Wrong passwords are refused without delay.
func testServer(t testing.TB, tap *lab.Tap, f folders) (*sftpserver.Server, string) {
	t.Helper()
	labdirtest.Temp(t)
	srv := sftpserver.New(sftpserver.Options{Root: f.root, Tap: tap, AuthDelay: -1})
	return srv, servertest.Start(t, srv, sftpserver.ErrServerClosed)
}

func dial(t testing.TB, addr string, opts sftpclient.Options) *sftpclient.Client {
	t.Helper()
	c, err := sftpclient.Dial(context.Background(), addr, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// messages are the summaries of conv's messages, as "layer arrow summary".
func messages(h *lab.Hub, conv lab.ConvID) []string {
	h.Settle()
	var out []string
	for _, e := range h.ConvEvents(conv) {
		if e.Kind == lab.KindMessage || e.Kind == lab.KindHandshake {
			out = append(out, e.Layer+" "+e.Dir.Arrow()+" "+e.Msg.Summary)
		}
	}
	return out
}

// inOrder reports whether each of want begins some message, in that order.
func inOrder(got, want []string) (missing string, ok bool) {
	i := 0
	for _, g := range got {
		if i < len(want) && strings.HasPrefix(g, want[i]) {
			i++
		}
	}
	if i < len(want) {
		return want[i], false
	}
	return "", true
}

func readFile(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var _ = bytes.Equal
