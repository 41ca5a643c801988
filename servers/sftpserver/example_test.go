package sftpserver_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"path/filepath"

	xssh "golang.org/x/crypto/ssh"

	"github.com/protocollab/protolab/clients/sftpclient"
	"github.com/protocollab/protolab/servers/sftpserver"
)

// Serve a folder over SFTP and list it with the lab's client.
func Example() {
	root, _ := os.MkdirTemp("", "sftp-example")
	defer os.RemoveAll(root)
	os.WriteFile(filepath.Join(root, "hello.txt"), []byte("hello\n"), 0o644)

	_, key, _ := ed25519.GenerateKey(rand.Reader)
	signer, _ := xssh.NewSignerFromKey(key)
	srv := sftpserver.New(sftpserver.Options{Root: root, HostKey: signer})
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(l)
	defer srv.Close()

	c, err := sftpclient.Dial(context.Background(), l.Addr().String(), sftpclient.Options{
		User: "lab", Password: "lab", HostKeyCallback: xssh.FixedHostKey(signer.PublicKey()),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	list, _ := c.List("/")
	for _, fi := range list {
		fmt.Println(fi.Name(), fi.Size())
	}
	// Output: hello.txt 6
}
