package ftpserver_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
	"github.com/protocollab/protolab/servers/ftpserver"
)

// TestNewLab starts the server as the Bench does: the default root is seeded once
// into the lab's data folder, the settings choose the user, and data connections
// are tapped as "ftp-data" from the hub's registry.
func TestNewLab(t *testing.T) {
	data := labdirtest.Temp(t).Data
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
		if ci.Protocol == "ftp-data" && strings.HasPrefix(ci.Link.Text(), "RETR README.txt · ") {
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

// TestNewLabCaptureSetting keeps 64 KiB of a 300 KiB download, as the "capture"
// setting asks, and sums up the rest.
func TestNewLabCaptureSetting(t *testing.T) {
	root := t.TempDir()
	labdirtest.Temp(t)
	big := strings.Repeat("0123456789abcdef", 300<<10/16)
	if err := os.WriteFile(filepath.Join(root, "big.txt"), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	hub := newHub()
	srv, err := ftpserver.NewLab(lab.ServerOptions{
		Addr:     "127.0.0.1:0",
		Tap:      hub.Tap(hub.Registry().Lookup("ftp")),
		Settings: map[string]string{ftpserver.SettingRoot: root, ftpserver.SettingCapture: "64 KiB"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	cc := dial(t, srv.Addr().String())
	cc.cmd(331, "USER lab")
	cc.cmd(230, "PASS lab")
	if got := cc.retr("big.txt"); got != big {
		t.Fatalf("RETR gave %d bytes, want %d", len(got), len(big))
	}
	srv.Shutdown(context.Background())
	hub.Settle()
	for _, ci := range hub.Conversations() {
		if ci.Protocol != "ftp-data" {
			continue
		}
		kept, summed := 0, false
		for _, e := range hub.ConvEvents(ci.ID) {
			if e.Kind == lab.KindData && e.Dir == lab.ServerToClient {
				kept += len(e.Data)
			}
			if e.Msg != nil && strings.Contains(e.Msg.Summary, "XXH128") {
				summed = true
			}
		}
		if kept != 64<<10 || !summed {
			t.Errorf("data conversation kept %d bytes (summary %v), want 64 KiB and a summary", kept, summed)
		}
	}
	if _, err := ftpserver.NewLab(lab.ServerOptions{Addr: "127.0.0.1:0", Settings: map[string]string{ftpserver.SettingRoot: root, ftpserver.SettingCapture: "lots"}}); err == nil {
		t.Error("capture = lots was accepted")
	}
}
