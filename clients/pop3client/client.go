// Package pop3client is the lab's POP3 client (RFC 1939, with RFC 2449's CAPA
// and RFC 2595's STLS): what a person does in the client pane of the POP3
// workbench — connect, log in, see how many messages wait, list them, retrieve
// one, mark one deleted or unmark all, and quit, which is when the server
// deletes what was marked.
//
// Left out: APOP and SASL logins (AUTH), and implicit TLS (POP3S, port 995).
package pop3client

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/protocollab/protolab/clients/labdial"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/pop3"
)

// Defaults for the zero values of Options.
const (
	DefaultTimeout    = 30 * time.Second
	DefaultMaxMessage = 64 << 20
)

// Options configures a client. The zero value dials untapped, in clear text.
type Options struct {
	// Tap captures the connection (the "pop3" protocol's tap). Nil captures
	// nothing. Before STLS the password crosses in the clear, and the tap
	// captures it.
	Tap *lab.Tap
	// Dialer, if set, dials instead of Tap: it resolves lab names through the
	// lab's DNS server and taps with its own Tap, which should be the "pop3"
	// protocol's. Nil dials with Tap.
	Dialer *labdial.Dialer
	// StartTLS sends STLS right after the greeting and speaks TLS from then on;
	// Dial fails if the server does not offer it. False speaks clear text.
	StartTLS bool
	// RootCAs are the certificate authorities TLS trusts: the lab CA's pool
	// (labca.CA.Pool) for the lab's servers. Nil means the system's.
	RootCAs *x509.CertPool
	// ServerName is the name TLS checks the certificate against. Empty means the
	// host dialed.
	ServerName string
	// KeyLog, if non-nil, receives the TLS secrets (the hub's Keys(), so that
	// the inspector decrypts). It may capture everything the session carries.
	KeyLog io.Writer
	// Timeout bounds each wait for a response. Zero means DefaultTimeout.
	Timeout time.Duration
	// MaxMessage bounds a message Retr or Top accepts. Zero means DefaultMaxMessage.
	MaxMessage int64
}

// Error is a -ERR response, with the command that got it.
type Error struct {
	Command string // as String shows it: "PASS ****"
	Code    string // the RFC 2449 response code, "" if none: "AUTH", "IN-USE"
	Text    string
}

func (e *Error) Error() string {
	s := "pop3client: " + e.Command + ": -ERR"
	if e.Code != "" {
		s += " [" + e.Code + "]"
	}
	return s + " " + e.Text
}

// MessageInfo is one line of LIST or UIDL: a message's number in this session
// and its size or unique id.
type MessageInfo struct {
	Number int
	Size   int64  // LIST
	UID    string // UIDL
}

// Client is one POP3 session. Its methods perform one command at a time and
// must not be called concurrently, except Close, which may be called at any time
// to end the session at once.
type Client struct {
	opts    Options
	timeout time.Duration
	raw     net.Conn
	conv    lab.ConvID
	conn    net.Conn // raw, or the TLS connection over it
	r       *pop3.Reader
	w       *bufio.Writer

	greeting string

	mu     sync.Mutex
	closed bool
}

// Dial connects to the POP3 server at addr ("127.0.0.1:1110",
// "pop3.lab.test:110"), reads its greeting and, with Options.StartTLS, turns
// the connection into TLS. ctx bounds the connect, the greeting and the TLS
// handshake.
func Dial(ctx context.Context, addr string, opts Options) (*Client, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("pop3client: %q is not host:port (for example 127.0.0.1:1110): %w", addr, err)
	}
	raw, err := labdial.Dial(ctx, opts.Dialer, opts.Tap, "tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("pop3client: nothing is listening on %s (the connection was refused) — start the POP3 server first or check the port: %w", addr, err)
		}
		return nil, fmt.Errorf("pop3client: cannot connect to %s: %w", addr, err)
	}
	c := &Client{opts: opts, timeout: opts.Timeout, raw: raw, conn: raw}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.opts.MaxMessage <= 0 {
		c.opts.MaxMessage = DefaultMaxMessage
	}
	if conv := lab.ConnConversation(raw); conv != nil {
		c.conv = conv.ID()
	}
	c.r, c.w = pop3.NewReader(raw), bufio.NewWriter(raw)
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Now()) })
	defer stop()
	if err := c.handshake(host); err != nil {
		raw.Close()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("pop3client: %s: %w", addr, ctx.Err())
		}
		return nil, err
	}
	raw.SetDeadline(time.Time{})
	return c, nil
}

// handshake reads the greeting and, with StartTLS, sends STLS and shakes hands.
func (c *Client) handshake(host string) error {
	c.raw.SetDeadline(time.Now().Add(c.timeout))
	resp, err := c.r.ReadResponse()
	if err != nil {
		return fmt.Errorf("pop3client: reading the greeting: %w", err)
	}
	if !resp.OK {
		return &Error{Command: "(greeting)", Code: resp.Code, Text: resp.Text}
	}
	c.greeting = resp.Text
	if !c.opts.StartTLS {
		return nil
	}
	if _, err := c.cmd(pop3.Command{Keyword: "STLS"}); err != nil {
		return fmt.Errorf("pop3client: the server does not offer STLS: %w", err)
	}
	name := c.opts.ServerName
	if name == "" {
		name = host
	}
	tc := tls.Client(c.raw, &tls.Config{ServerName: name, RootCAs: c.opts.RootCAs, KeyLogWriter: c.opts.KeyLog, MinVersion: tls.VersionTLS12})
	if err := tc.Handshake(); err != nil {
		return fmt.Errorf("pop3client: the TLS handshake after STLS failed: %w", err)
	}
	c.conn, c.r, c.w = tc, pop3.NewReader(tc), bufio.NewWriter(tc)
	return nil
}

// Greeting is the text of the server's greeting.
func (c *Client) Greeting() string { return c.greeting }

// TLS reports whether the connection is TLS (after STLS).
func (c *Client) TLS() bool { _, ok := c.conn.(*tls.Conn); return ok }

// Conversation is the lab conversation of the connection (0 when untapped).
func (c *Client) Conversation() lab.ConvID { return c.conv }

// cmd sends one command and reads its status line; a -ERR is an *Error.
func (c *Client) cmd(cmd pop3.Command) (pop3.Response, error) {
	if c.isClosed() {
		return pop3.Response{}, net.ErrClosed
	}
	line := cmd.Keyword
	if cmd.Arg != "" {
		line += " " + cmd.Arg
	}
	if strings.ContainsAny(line, "\r\n") {
		return pop3.Response{}, fmt.Errorf("pop3client: %s: a line break in an argument", cmd.Keyword)
	}
	if len(line)+2 > pop3.MaxCommandLine {
		return pop3.Response{}, fmt.Errorf("pop3client: %s: longer than POP3's %d bytes", cmd.Keyword, pop3.MaxCommandLine)
	}
	c.conn.SetDeadline(time.Now().Add(c.timeout))
	c.w.WriteString(line + "\r\n")
	if err := c.w.Flush(); err != nil {
		return pop3.Response{}, fmt.Errorf("pop3client: sending %s: %w", cmd, err)
	}
	resp, err := c.r.ReadResponse()
	if err != nil {
		return pop3.Response{}, fmt.Errorf("pop3client: %s: %w", cmd, err)
	}
	if !resp.OK || resp.Continue {
		return resp, &Error{Command: cmd.String(), Code: resp.Code, Text: resp.Text}
	}
	return resp, nil
}

func command(keyword string, args ...string) pop3.Command {
	return pop3.Command{Keyword: keyword, Args: args, Arg: strings.Join(args, " ")}
}

// Capabilities asks CAPA for the server's capabilities (RFC 2449), one per
// line ("TOP", "UIDL", "STLS", "SASL PLAIN").
func (c *Client) Capabilities() ([]string, error) {
	if _, err := c.cmd(command("CAPA")); err != nil {
		return nil, err
	}
	lines, err := c.r.ReadLines(1000)
	if err != nil {
		return nil, fmt.Errorf("pop3client: CAPA: %w", err)
	}
	return lines, nil
}

// Login logs in with USER and PASS. A wrong password is an *Error with Code
// "AUTH"; a maildrop in use by another session, "IN-USE".
func (c *Client) Login(user, pass string) error {
	if _, err := c.cmd(command("USER", user)); err != nil {
		return err
	}
	_, err := c.cmd(pop3.Command{Keyword: "PASS", Args: []string{pass}, Arg: pass})
	return err
}

// Stat returns how many messages the maildrop holds and their total size,
// leaving out those marked deleted.
func (c *Client) Stat() (count int, size int64, err error) {
	resp, err := c.cmd(command("STAT"))
	if err != nil {
		return 0, 0, err
	}
	f := strings.Fields(resp.Text)
	if len(f) < 2 {
		return 0, 0, fmt.Errorf("pop3client: STAT: %q is not a count and a size", resp.Text)
	}
	count, err1 := strconv.Atoi(f[0])
	size, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("pop3client: STAT: %q is not a count and a size", resp.Text)
	}
	return count, size, nil
}

// List returns each message's number and size.
func (c *Client) List() ([]MessageInfo, error) {
	return c.listing("LIST")
}

// Uidl returns each message's number and unique id.
func (c *Client) Uidl() ([]MessageInfo, error) {
	return c.listing("UIDL")
}

func (c *Client) listing(keyword string) ([]MessageInfo, error) {
	if _, err := c.cmd(command(keyword)); err != nil {
		return nil, err
	}
	lines, err := c.r.ReadLines(1 << 20)
	if err != nil {
		return nil, fmt.Errorf("pop3client: %s: %w", keyword, err)
	}
	out := make([]MessageInfo, 0, len(lines))
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) < 2 {
			return nil, fmt.Errorf("pop3client: %s: the line %q is not a number and a value", keyword, l)
		}
		n, err := strconv.Atoi(f[0])
		if err != nil {
			return nil, fmt.Errorf("pop3client: %s: the line %q does not begin with a message number", keyword, l)
		}
		m := MessageInfo{Number: n}
		if keyword == "LIST" {
			if m.Size, err = strconv.ParseInt(f[1], 10, 64); err != nil {
				return nil, fmt.Errorf("pop3client: LIST: the line %q has no size", l)
			}
		} else {
			m.UID = f[1]
		}
		out = append(out, m)
	}
	return out, nil
}

// Retr retrieves message n whole, its dot-stuffing undone, every line ending in
// CRLF.
func (c *Client) Retr(n int) ([]byte, error) {
	return c.body(command("RETR", strconv.Itoa(n)))
}

// Top retrieves message n's headers and the first lines of its body.
func (c *Client) Top(n, lines int) ([]byte, error) {
	return c.body(command("TOP", strconv.Itoa(n), strconv.Itoa(lines)))
}

func (c *Client) body(cmd pop3.Command) ([]byte, error) {
	if _, err := c.cmd(cmd); err != nil {
		return nil, err
	}
	b, err := c.r.ReadBody(c.opts.MaxMessage)
	if err != nil {
		return nil, fmt.Errorf("pop3client: %s: %w", cmd, err)
	}
	return b, nil
}

// Dele marks message n deleted; the server deletes it at Quit.
func (c *Client) Dele(n int) error {
	_, err := c.cmd(command("DELE", strconv.Itoa(n)))
	return err
}

// Rset unmarks every message marked deleted.
func (c *Client) Rset() error {
	_, err := c.cmd(command("RSET"))
	return err
}

// Noop does nothing but check that the server answers.
func (c *Client) Noop() error {
	_, err := c.cmd(command("NOOP"))
	return err
}

// Quit ends the session: the server deletes the messages marked with Dele and
// closes the connection. The connection is closed whatever the answer.
func (c *Client) Quit() error {
	_, err := c.cmd(command("QUIT"))
	c.Close()
	return err
}

// Close closes the connection at once, without QUIT: nothing marked is deleted.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	return c.raw.Close()
}

func (c *Client) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}
