package sftpclient

import (
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"strings"
	"testing"

	xssh "golang.org/x/crypto/ssh"

	"github.com/protocollab/protolab/servers/sftpserver"
)

func newKey(t *testing.T) xssh.PublicKey {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := xssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestLabHostKeyCallback(t *testing.T) {
	if LabHostKeyFile != sftpserver.HostKeyFile {
		t.Fatalf("LabHostKeyFile = %q, want the server's %q", LabHostKeyFile, sftpserver.HostKeyFile)
	}
	dir := t.TempDir()
	check := LabHostKeyCallback(dir)
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 2022}

	// The lab's own server's key is trusted at once, on any address.
	lab, err := sftpserver.LoadHostKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := check("127.0.0.1:2022", addr, lab.PublicKey()); err != nil {
		t.Errorf("the lab's own key: %v", err)
	}
	if err := check("sftp.lab.test:9", addr, lab.PublicKey()); err != nil {
		t.Errorf("the lab's own key elsewhere: %v", err)
	}

	// Another server is trusted on first use, and then only with the same key.
	first, other := newKey(t), newKey(t)
	if err := check("example.test:22", addr, first); err != nil {
		t.Errorf("first use: %v", err)
	}
	if err := check("example.test:22", addr, first); err != nil {
		t.Errorf("same key again: %v", err)
	}
	err = check("example.test:22", addr, other)
	if err == nil || !strings.Contains(err.Error(), "someone may be in the middle") {
		t.Errorf("changed key = %v, want refused", err)
	}
}
