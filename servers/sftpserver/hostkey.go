package sftpserver

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/protocollab/protolab/lab/labdir"
	xssh "golang.org/x/crypto/ssh"
)

// HostKeyFile is the name of the file, in the lab's configuration folder
// (labdir.Config), that keeps the server's Ed25519 host key in OpenSSH's
// private key format. The lab's SFTP client reads it too, to know the server's key.
const HostKeyFile = "sftp_host_ed25519_key"

var hostKeyMu sync.Mutex

// LoadHostKey returns the host key kept in dir, making one there first if there is
// none: an Ed25519 key, written once (0600, atomically) and kept, so that clients
// that remember the server's key (known_hosts) keep trusting it.
func LoadHostKey(dir string) (xssh.Signer, error) {
	hostKeyMu.Lock()
	defer hostKeyMu.Unlock()
	path := filepath.Join(dir, HostKeyFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		s, err := xssh.ParsePrivateKey(b)
		if err != nil {
			return nil, fmt.Errorf("sftpserver: the host key %s is damaged (%v): delete it and the server makes a new one (clients that knew the old one will then warn)", path, err)
		}
		return s, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("sftpserver: the host key: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("sftpserver: making a host key: %w", err)
	}
	block, err := xssh.MarshalPrivateKey(priv, "protolab sftp host key")
	if err != nil {
		return nil, fmt.Errorf("sftpserver: making a host key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sftpserver: the configuration folder: %w", err)
	}
	if err := labdir.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, fmt.Errorf("sftpserver: keeping the host key: %w", err)
	}
	return xssh.NewSignerFromKey(priv)
}
