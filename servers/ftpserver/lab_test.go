package ftpserver_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/servers/ftpserver"
)

// TestNewLab starts the server as the Bench does: the default root is seeded once
// into the lab's data folder, the settings choose the user, and data connections
// are tapped as "ftp-data" from the hub's registry.
func TestNewLab(t *testing.T) {
	data := t.TempDir()
	t.Setenv(ftpserver.EnvDataDir, data)
	t.Setenv(labca.EnvConfigDir, t.TempDir())
	hub := newHub()
	srv, err := ftpserver.NewLab(lab.ServerOptions{
		Addr:     "127.0.0.1:0",
		Tap:      hub.Tap(hub.Registry().Lookup("ftp")),
		Settings: map[string]string{ftpserver.SettingUser: "alice", ftpserver.SettingPassword: "pw", ftpserver.SettingAnonymous: ftpserver.Off},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	root := filepath.Join(data, "ftproot")
	if _, err := os.Stat(filepath.Join(root, "pub", "hello.txt")); err != nil {
		t.Fatalf("the default root was not seeded: %v", err)
	}
	addr := srv.Addr().String()
	cc := dial(t, addr)
	cc.cmd(331, "USER anonymous")
	cc.cmd(530, "PASS x")
	cc.cmd(331, "USER alice")
	cc.cmd(230, "PASS pw")
	if r := cc.cmd(211, "FEAT"); !strings.Contains(r.Text(), "AUTH TLS") {
		t.Errorf("FEAT = %q, want AUTH TLS", r.Text())
	}
	cc.cmd(257, "MKD mine")
	if got := cc.retr("README.txt"); !strings.Contains(got, "Welcome") {
		t.Errorf("RETR = %q", got)
	}
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	hub.Settle()
	n := 0
	for _, ci := range hub.Conversations() {
		if ci.Protocol == "ftp-data" && strings.HasPrefix(ci.Label, "RETR README.txt · ") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d data conversations labelled RETR README.txt, want 1", n)
	}
	// A second start keeps what the person changed: the seed is copied once.
	if _, err := ftpserver.DefaultRoot(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "mine")); err != nil {
		t.Errorf("the person's folder is gone after DefaultRoot: %v", err)
	}
	if _, err := ftpserver.NewLab(lab.ServerOptions{Addr: "127.0.0.1:0", Settings: map[string]string{ftpserver.SettingRoot: filepath.Join(data, "nope")}}); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("NewLab with a missing root: err = %v", err)
	}
}
