package sftpserver_test

import (
	"errors"
	"net"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/protocollab/protolab/lab/labdir/labdirtest"
	"github.com/protocollab/protolab/servers/sftpserver"
)

// arrivedListener hands out a connection only once the client's first bytes
// have arrived on it, so that they are on the wire before anything the server
// sends.
type arrivedListener struct{ net.Listener }

func (l arrivedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	raw, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		return c, nil
	}
	var one [1]byte
	_ = raw.Read(func(fd uintptr) bool {
		_, _, err := syscall.Recvfrom(int(fd), one[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return !errors.Is(err, syscall.EAGAIN) // false: wait until readable
	})
	return c, nil
}

// TestOpenSSHBannersInWireOrder: OpenSSH sends its version line as soon as it
// connects; the server, handed the connection once that line has arrived, sends
// its own after. The server's tap alone is in the lab, and shows the client's
// line first, though the server wrote its own before reading the client's.
func TestOpenSSHBannersInWireOrder(t *testing.T) {
	sftpPath, err := exec.LookPath("sftp")
	if err != nil {
		t.Skip("OpenSSH's sftp is not installed (Debian package openssh-client)")
	}
	sshpass, err := exec.LookPath("sshpass")
	if err != nil {
		t.Skip("sshpass is not installed (Debian package sshpass)")
	}
	tl := newTestLab()
	f := newFolders(t)
	labdirtest.Temp(t)
	srv := sftpserver.New(sftpserver.Options{Root: f.root, Tap: tl.tap, AuthDelay: -1})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(arrivedListener{l}) }()
	<-srv.Started()
	_, port, _ := strings.Cut(l.Addr().String(), ":")

	cmd := exec.Command(sshpass, "-p", "lab", sftpPath, "-o", "BatchMode=no", "-b", "-", "-P", port,
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "PreferredAuthentications=password", "-o", "PubkeyAuthentication=no", "lab@127.0.0.1")
	cmd.Stdin = strings.NewReader("pwd\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sftp: %v\n%s", err, out)
	}
	srv.Close()
	if err := <-served; !errors.Is(err, sftpserver.ErrServerClosed) {
		t.Errorf("Serve = %v", err)
	}
	convs := tl.hub.Conversations()
	if len(convs) != 1 {
		t.Fatalf("%d conversations, want 1", len(convs))
	}
	got := messages(tl.hub, convs[0].ID)
	client := slices.IndexFunc(got, func(s string) bool { return strings.HasPrefix(s, "ssh → SSH-2.0-OpenSSH") })
	server := slices.IndexFunc(got, func(s string) bool { return strings.HasPrefix(s, "ssh ← SSH-2.0-Go") })
	if client < 0 || server < 0 || client > server {
		t.Errorf("the client's version line is message %d, the server's %d; want the client's first, among\n%s",
			client, server, strings.Join(got, "\n"))
	}
}
