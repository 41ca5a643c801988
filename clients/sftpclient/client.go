// Package sftpclient is the lab's SFTP client: github.com/pkg/sftp over an SSH
// connection from golang.org/x/crypto/ssh (RFC 4251–4254) whose socket is tapped,
// so the lab sees the SSH handshake in the clear and the encrypted rest. It offers
// the operations of the client pane: the working folder, list, download and upload
// with progress, remove, make and remove a folder, rename.
//
// Login is by password only. A server's host key is checked with
// LabHostKeyCallback unless Options says otherwise.
package sftpclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/pkg/sftp"
	xssh "golang.org/x/crypto/ssh"

	"github.com/protocollab/protolab/clients/labdial"
	"github.com/protocollab/protolab/lab"
)

// Defaults for the Options fields left zero.
const (
	DefaultUser     = "lab"
	DefaultPassword = "lab"
	DefaultTimeout  = 30 * time.Second
)

// Options configures Dial. The zero value logs in as the lab's user, untapped.
type Options struct {
	// Tap, if non-nil, captures the connection on the client side. Nil captures
	// nothing. Ignored when Dialer is set (the Dialer has its own Tap).
	Tap *lab.Tap
	// Dialer, if non-nil, dials the connection: it resolves lab names (sftp.lab.test)
	// through the lab's DNS server and taps the connection with its own Tap.
	Dialer *labdial.Dialer
	// User and Password are the login. Empty means DefaultUser and DefaultPassword.
	// The password crosses the wire encrypted; the lab captures it only as such.
	User, Password string
	// HostKeyCallback checks the server's host key. Nil means LabHostKeyCallback in
	// the lab's configuration folder: the lab's own server is trusted, others on
	// first use.
	HostKeyCallback xssh.HostKeyCallback
	// Timeout bounds the connect, the SSH handshake and the login. Zero means
	// DefaultTimeout. A ctx deadline that comes sooner wins.
	Timeout time.Duration
}

// Client is one SFTP session. Its methods are safe for concurrent use (pkg/sftp's
// Client is); Close ends the session.
type Client struct {
	conn net.Conn
	ssh  *xssh.Client
	sftp *sftp.Client
}

// Dial connects to the SFTP server at addr ("host:port"), logs in and starts the
// sftp subsystem.
func Dial(ctx context.Context, addr string, opts Options) (*Client, error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hostKey := opts.HostKeyCallback
	if hostKey == nil {
		var err error
		if hostKey, err = defaultHostKeyCallback(); err != nil {
			return nil, err
		}
	}
	user, password := opts.User, opts.Password
	if user == "" {
		user = DefaultUser
	}
	if password == "" {
		password = DefaultPassword
	}

	conn, err := labdial.Dial(ctx, opts.Dialer, opts.Tap, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sftpclient: connect to %s: %w", addr, err)
	}
	// The handshake honours ctx: its deadline, and its cancellation.
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	cfg := &xssh.ClientConfig{
		User:            user,
		Auth:            []xssh.AuthMethod{xssh.Password(password)},
		HostKeyCallback: hostKey,
	}
	c, chans, reqs, err := xssh.NewClientConn(conn, addr, cfg)
	stopped := stop()
	if err != nil {
		conn.Close()
		if !stopped {
			return nil, fmt.Errorf("sftpclient: %s: %w", addr, context.Cause(ctx))
		}
		return nil, fmt.Errorf("sftpclient: %s: %w", addr, err)
	}
	conn.SetDeadline(time.Time{})
	sc := xssh.NewClient(c, chans, reqs)
	fc, err := sftp.NewClient(sc, sftp.UseConcurrentReads(true), sftp.UseConcurrentWrites(true))
	if err != nil {
		sc.Close()
		return nil, fmt.Errorf("sftpclient: %s: starting SFTP: %w", addr, err)
	}
	return &Client{conn: conn, ssh: sc, sftp: fc}, nil
}

// Conn is the (tapped) connection under the session; lab.ConnConversation finds
// its conversation.
func (c *Client) Conn() net.Conn { return c.conn }

// ServerVersion is the server's SSH version line, "SSH-2.0-Go" for the lab's.
func (c *Client) ServerVersion() string { return string(c.ssh.ServerVersion()) }

// Close ends the SFTP session and the SSH connection.
func (c *Client) Close() error {
	err := c.sftp.Close()
	if cerr := c.ssh.Close(); err == nil && !errors.Is(cerr, net.ErrClosed) {
		err = cerr
	}
	return err
}

// Pwd is the folder relative paths start from (the server's "." made absolute).
func (c *Client) Pwd() (string, error) { return c.sftp.Getwd() }

// List returns the entries of the folder at path.
func (c *Client) List(path string) ([]os.FileInfo, error) { return c.sftp.ReadDir(path) }

// Stat returns the attributes of the file or folder at path.
func (c *Client) Stat(path string) (os.FileInfo, error) { return c.sftp.Stat(path) }

// Progress is told how far a transfer is: done bytes of total (-1 when unknown).
// It is called from the transfer's goroutine after each piece.
type Progress func(done, total int64)

// Get downloads the file at path into w and returns how many bytes it wrote.
// progress, if non-nil, follows the transfer.
func (c *Client) Get(path string, w io.Writer, progress Progress) (int64, error) {
	f, err := c.sftp.Open(path)
	if err != nil {
		return 0, err
	}
	total := int64(-1)
	if fi, err := f.Stat(); err == nil {
		total = fi.Size()
	}
	pw := &progressWriter{w: w, total: total, progress: progress}
	n, err := f.WriteTo(pw)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// Put uploads r to the file at path, replacing it, and returns how many bytes it
// sent. size is r's length when known (for progress), or -1. The file takes its
// name on the server only once the upload is complete (the lab's server does so;
// others may show a growing file).
func (c *Client) Put(path string, r io.Reader, size int64, progress Progress) (int64, error) {
	f, err := c.sftp.Create(path)
	if err != nil {
		return 0, err
	}
	pr := &progressReader{r: r, total: size, progress: progress}
	n, err := f.ReadFromWithConcurrency(pr, 0)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// Remove deletes the file at path.
func (c *Client) Remove(path string) error { return c.sftp.Remove(path) }

// Mkdir makes the folder at path.
func (c *Client) Mkdir(path string) error { return c.sftp.Mkdir(path) }

// RemoveDir removes the empty folder at path.
func (c *Client) RemoveDir(path string) error { return c.sftp.RemoveDirectory(path) }

// Rename moves from to to. As in SFTP version 3, it fails when to exists.
func (c *Client) Rename(from, to string) error { return c.sftp.Rename(from, to) }

type progressWriter struct {
	w        io.Writer
	done     int64
	total    int64
	progress Progress
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.done += int64(n)
	if p.progress != nil {
		p.progress(p.done, p.total)
	}
	return n, err
}

type progressReader struct {
	r        io.Reader
	done     int64
	total    int64
	progress Progress
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.done += int64(n)
	if n > 0 && p.progress != nil {
		p.progress(p.done, p.total)
	}
	return n, err
}
