package sftpserver_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protocollab/protolab/clients/sftpclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labdir"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
	"github.com/protocollab/protolab/servers/sftpserver"
)

func TestNewLab(t *testing.T) {
	labdirtest.Temp(t)
	tl := newTestLab()
	srv, err := sftpserver.NewLab(lab.ServerOptions{Addr: "127.0.0.1:0", Tap: tl.tap,
		Settings: map[string]string{sftpserver.SettingUser: "alice", sftpserver.SettingPassword: "secret"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := sftpclient.Dial(context.Background(), srv.Addr().String(), sftpclient.Options{User: "alice", Password: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The default root is the FTP server's folder, seeded with the lab's sample files.
	list, err := c.List("/")
	if err != nil || len(list) == 0 {
		t.Errorf("List / of the default root = %d entries, %v; want the sample files", len(list), err)
	}
	if n := srv.Sessions(); n != 1 {
		t.Errorf("Sessions = %d, want 1", n)
	}

	// The host key was made once and is kept.
	dir := os.Getenv(labdir.EnvConfig)
	fi, err := os.Stat(filepath.Join(dir, sftpserver.HostKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("host key file: %v, %v; want mode 0600", fi, err)
	}
	k1, err1 := sftpserver.LoadHostKey(dir)
	k2, err2 := sftpserver.LoadHostKey(dir)
	if err1 != nil || err2 != nil || string(k1.PublicKey().Marshal()) != string(k2.PublicKey().Marshal()) {
		t.Errorf("LoadHostKey twice gave different keys (%v, %v)", err1, err2)
	}
}

func TestNewLabRootMissing(t *testing.T) {
	_, err := sftpserver.NewLab(lab.ServerOptions{Addr: "127.0.0.1:0",
		Settings: map[string]string{sftpserver.SettingRoot: filepath.Join(t.TempDir(), "nowhere")}})
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("NewLab with a missing root = %v", err)
	}
}
