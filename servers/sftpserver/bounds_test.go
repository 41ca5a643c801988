package sftpserver_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/sftpclient"
	"github.com/protocollab/protolab/servers/internal/servertest"
	"github.com/protocollab/protolab/servers/sftpserver"
)

// startDelayed serves f.root tapped on tl, with wrong passwords answered after
// a delay of 1ms, doubling.
func startDelayed(t *testing.T, tl *testLab, f folders) string {
	t.Helper()
	t.Setenv("PROTOLAB_CONFIG_DIR", t.TempDir())
	srv := sftpserver.New(sftpserver.Options{Root: f.root, Tap: tl.tap, AuthDelay: time.Millisecond})
	return servertest.Start(t, srv, sftpserver.ErrServerClosed)
}

// TestFloodRefused: 16 MiB without a line end where SSH's version line belongs
// is refused at x/crypto/ssh's bound of 255 bytes, and 16 MiB as one packet at
// its bound of a packet's length (the connection closed in both cases), while
// another client logs in.
func TestFloodRefused(t *testing.T) {
	tl := newTestLab()
	addr := startDelayed(t, tl, newFolders(t))
	other := func() error {
		c, err := sftpclient.Dial(context.Background(), addr, sftpclient.Options{})
		if err == nil {
			c.Close()
		}
		return err
	}
	res := servertest.Flood{Addr: addr, Start: servertest.Greeted("SSH-2.0-"), Other: other}.Run(t)
	if res.Answer != "" {
		t.Errorf("a version line of 16 MiB: answer %q, want the connection closed", res.Answer)
	}
	servertest.Flood{Addr: addr, Start: servertest.Greeted("SSH-2.0-"), Prefix: "SSH-2.0-flood\r\n", Other: other}.Run(t)
}

// TestWrongPasswordShown: the inspector shows each held-back answer to a wrong
// password, with its count and its growing wait.
func TestWrongPasswordShown(t *testing.T) {
	tl := newTestLab()
	addr := startDelayed(t, tl, newFolders(t))
	for _, pass := range []string{"wrong", "worse"} {
		if c, err := sftpclient.Dial(context.Background(), addr, sftpclient.Options{Password: pass}); err == nil {
			c.Close()
			t.Fatalf("password %q let in", pass)
		}
	}
	want := []string{
		"wrong password #1 from 127.0.0.1: answer delayed 1ms",
		"wrong password #2 from 127.0.0.1: answer delayed 2ms",
	}
	if got := servertest.DelayNotes(tl.hub); !slices.Equal(got, want) {
		t.Errorf("inspector notes = %q, want %q", got, want)
	}
}

// TestUploadBounded: an upload of 16 MiB to a server that keeps files up to
// 1 MiB is refused past the bound and leaves nothing; the inspector says so.
func TestUploadBounded(t *testing.T) {
	tl := newTestLab()
	f := newFolders(t)
	t.Setenv("PROTOLAB_CONFIG_DIR", t.TempDir())
	srv := sftpserver.New(sftpserver.Options{Root: f.root, Tap: tl.tap, AuthDelay: -1, MaxUploadBytes: 1 << 20})
	addr := servertest.Start(t, srv, sftpserver.ErrServerClosed)
	c := dial(t, addr, sftpclient.Options{})
	defer c.Close()
	src := io.LimitReader(zeros{}, servertest.FloodSize)
	if _, err := c.Put("pub/big.bin", src, servertest.FloodSize, nil); err == nil {
		t.Fatal("an upload of 16 MiB past a bound of 1 MiB succeeded")
	}
	c.Close()
	entries, _ := os.ReadDir(filepath.Join(f.root, "pub"))
	for _, e := range entries {
		if strings.Contains(e.Name(), "big.bin") {
			t.Errorf("%s left in the root", e.Name())
		}
	}
	var all []string
	for _, ci := range tl.hub.Conversations() {
		all = append(all, messages(tl.hub, ci.ID)...)
	}
	if !slices.ContainsFunc(all, func(m string) bool { return strings.Contains(m, "upload of /pub/big.bin refused past 1.0 MiB") }) {
		t.Errorf("messages = %q, want the refused upload reported", all)
	}
}

// zeros is an endless source of zero bytes.
type zeros struct{}

func (zeros) Read(b []byte) (int, error) {
	clear(b)
	return len(b), nil
}
