package sftpclient

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"

	"github.com/protocollab/protolab/lab/labdir"
	xssh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Files in the lab's configuration folder (labdir.Config).
const (
	// LabHostKeyFile is where the lab's SFTP server keeps its host key (the same
	// name as servers/sftpserver.HostKeyFile; the client does not import the server).
	LabHostKeyFile = "sftp_host_ed25519_key"
	// KnownHostsFile is the client's known_hosts: the keys of the other servers it
	// has met, in OpenSSH's format.
	KnownHostsFile = "sftp_known_hosts"
)

var knownMu sync.Mutex

// LabHostKeyCallback is the client's default check of a server's host key, made
// for a lab: a server presenting the lab's own host key (the one the lab's SFTP
// server keeps in dir) is trusted at once, since this computer made that key; any
// other server is trusted on first use like OpenSSH's "accept-new": its key is
// written to KnownHostsFile in dir, and a later, different key for the same address
// is refused, as it could be someone in the middle.
func LabHostKeyCallback(dir string) xssh.HostKeyCallback {
	return func(hostname string, remote net.Addr, key xssh.PublicKey) error {
		if b, err := os.ReadFile(filepath.Join(dir, LabHostKeyFile)); err == nil {
			if s, err := xssh.ParsePrivateKey(b); err == nil && bytes.Equal(s.PublicKey().Marshal(), key.Marshal()) {
				return nil
			}
		}
		knownMu.Lock()
		defer knownMu.Unlock()
		path := filepath.Join(dir, KnownHostsFile)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("sftpclient: known hosts: %w", err)
		}
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return fmt.Errorf("sftpclient: known hosts: %w", err)
		}
		defer f.Close()
		check, err := knownhosts.New(path)
		if err != nil {
			return fmt.Errorf("sftpclient: %s is damaged (%v): remove it", path, err)
		}
		err = check(hostname, remote, key)
		var ke *knownhosts.KeyError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &ke) && len(ke.Want) == 0:
			// A server not met before: remember its key.
			line := knownhosts.Line([]string{knownhosts.Normalize(hostname)}, key) + "\n"
			if _, err := f.WriteString(line); err != nil {
				return fmt.Errorf("sftpclient: known hosts: %w", err)
			}
			return nil
		case errors.As(err, &ke):
			return fmt.Errorf("sftpclient: the host key of %s (%s %s) is not the one this lab met before there — "+
				"someone may be in the middle; if the server's key was changed on purpose, remove its line from %s",
				hostname, key.Type(), xssh.FingerprintSHA256(key), path)
		}
		return fmt.Errorf("sftpclient: known hosts: %w", err)
	}
}

// defaultHostKeyCallback is LabHostKeyCallback in the lab's configuration folder.
func defaultHostKeyCallback() (xssh.HostKeyCallback, error) {
	dir, err := labdir.Config()
	if err != nil {
		return nil, fmt.Errorf("sftpclient: %w", err)
	}
	return LabHostKeyCallback(dir), nil
}
