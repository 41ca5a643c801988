// Package ftpclient is the lab's FTP client (RFC 959, with RFC 2428's EPSV and
// EPRT, RFC 3659's SIZE and MLSD, and RFC 4217's AUTH TLS): what a person does in
// the client pane of the FTP workbench — connect, log in, move between folders,
// list, download, upload, rename, delete, make and remove folders.
//
// FTP's lesson is its two kinds of connection: one control connection for
// commands and replies, and a new data connection for every listing or file. In
// passive mode (PASV, EPSV) the server listens and the client dials; in active
// mode (PORT, EPRT) the client listens and the server dials back. A Client does
// both, and may switch between them (SetMode), so that a person can see in the
// inspector who opens the data connection. Every data connection is captured by
// Options.DataTap and linked under the control connection's conversation,
// labelled with the command it carries ("RETR photo.png").
//
// github.com/jlaffaye/ftp, the well-kept Go FTP client, speaks passive mode only
// and owns its control connection, so it cannot send PORT or EPRT, nor switch
// modes within one session; this package therefore speaks the control channel
// itself, over net/textproto. The package's tests use jlaffaye/ftp as an
// independent client to check what this one uploads.
//
// Left out: transfer modes other than stream and types other than binary (TYPE I
// is set at login), REST (resuming), implicit FTPS (port 990), ACCT, and the
// listing formats of systems other than Unix-like ones (LIST) and RFC 3659 (MLSD).
package ftpclient

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/protocollab/protolab/clients/labdial"
	"github.com/protocollab/protolab/lab"
)

// DefaultTimeout bounds each wait when Options.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Mode says who opens the data connections.
type Mode int

// The modes.
const (
	// Passive: the client asks the server to listen (EPSV, or PASV) and dials it.
	Passive Mode = iota
	// Active: the client listens and tells the server where (PORT, or EPRT for
	// IPv6); the server dials back.
	Active
)

func (m Mode) String() string {
	switch m {
	case Passive:
		return "passive"
	case Active:
		return "active"
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

// Options configures a client. The zero value dials untapped, in passive mode.
type Options struct {
	// Tap captures the control connection (the "ftp" protocol's tap). Nil
	// captures nothing. The control connection carries the password in the clear
	// (unless TLS is set), and the tap captures it.
	Tap *lab.Tap
	// DataTap captures the data connections (the "ftp-data" protocol's tap), both
	// those the client dials (passive) and those it accepts (active). Nil
	// captures nothing.
	DataTap *lab.Tap
	// Dialer, if set, dials the control connection instead of Tap: it resolves
	// lab names (ftp.lab.test) through the lab's DNS server and taps with its own
	// Tap, which should be the "ftp" protocol's. Nil dials with Tap.
	Dialer *labdial.Dialer
	// Mode is the mode of the first transfer; SetMode changes it. The zero value
	// is Passive.
	Mode Mode
	// Timeout bounds each wait: a reply, a data connection's connect or accept,
	// and each read or write of a transfer. Zero means DefaultTimeout.
	Timeout time.Duration
	// TLS, if set, secures the control connection with AUTH TLS right after the
	// greeting, and the data connections with PROT P (explicit FTPS, RFC 4217).
	// ServerName defaults to the host dialed. Set KeyLogWriter to the hub's
	// Keys() for the inspector to decrypt. Nil speaks plain FTP.
	TLS *tls.Config
}

// Client is one FTP session: a control connection, logged in or not. Its
// methods perform one operation at a time and must not be called concurrently,
// except Close, which may be called at any time to end the session (and any
// transfer in progress) at once.
type Client struct {
	opts    Options
	timeout time.Duration
	raw     net.Conn // the tapped control connection, below TLS
	ctrlID  lab.ConvID
	tlsConf *tls.Config // for data connections; nil without TLS
	host    string      // the host dialed, for TLS's ServerName

	conn net.Conn // raw, or a *tls.Conn over it
	rr   *replyReader

	mode     Mode
	noEPSV   bool              // the server did not know EPSV
	features map[string]string // FEAT's lines, upper-case name → parameters
	greeting string

	mu     sync.Mutex
	closed bool
	data   net.Conn     // the transfer in progress, closed by Close
	ln     net.Listener // the active-mode listener waiting, closed by Close
}

// Dial connects to the FTP server at addr ("127.0.0.1:2121", "ftp.lab.test:21"),
// reads its greeting and, with Options.TLS, secures the control connection. ctx
// bounds the connect and the greeting.
func Dial(ctx context.Context, addr string, opts Options) (*Client, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("ftpclient: %q is not host:port (for example 127.0.0.1:2121): %w", addr, err)
	}
	raw, err := labdial.Dial(ctx, opts.Dialer, opts.Tap, "tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("ftpclient: nothing is listening on %s (the connection was refused) — start the FTP server first or check the port: %w", addr, err)
		}
		return nil, fmt.Errorf("ftpclient: cannot connect to %s: %w", addr, err)
	}
	c := &Client{opts: opts, timeout: opts.Timeout, raw: raw, conn: raw, host: host, mode: opts.Mode}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if conv := lab.ConnConversation(raw); conv != nil {
		c.ctrlID = conv.ID()
	}
	c.rr = newReplyReader(raw)
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Now()) })
	defer stop()
	if err := c.handshake(); err != nil {
		raw.Close()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("ftpclient: %s: %w", addr, ctx.Err())
		}
		return nil, err
	}
	return c, nil
}

// handshake reads the greeting and, with TLS, upgrades the control connection.
func (c *Client) handshake() error {
	r, err := c.readReply()
	if err != nil {
		return err
	}
	for r.Code/100 == 1 { // 120: ready in a few minutes
		if r, err = c.readReply(); err != nil {
			return err
		}
	}
	if r.Code != 220 {
		return &Error{Code: r.Code, Message: r.Text, Command: "(greeting)"}
	}
	c.greeting = r.Text
	if c.opts.TLS == nil {
		return nil
	}
	if _, err := c.cmd(234, "AUTH", "TLS"); err != nil {
		return fmt.Errorf("ftpclient: the server does not offer TLS on the control connection: %w", err)
	}
	conf := c.opts.TLS.Clone()
	if conf.ServerName == "" {
		conf.ServerName = c.host
	}
	if conf.ClientSessionCache == nil {
		// Servers such as vsftpd require the data connections' TLS sessions to
		// resume the control connection's.
		conf.ClientSessionCache = tls.NewLRUClientSessionCache(4)
	}
	tc := tls.Client(c.raw, conf)
	c.raw.SetDeadline(time.Now().Add(c.timeout))
	if err := tc.Handshake(); err != nil {
		return fmt.Errorf("ftpclient: TLS handshake on the control connection: %w", err)
	}
	c.raw.SetDeadline(time.Time{})
	c.conn, c.tlsConf = tc, conf
	c.rr = newReplyReader(tc)
	if _, err := c.cmd(200, "PBSZ", "0"); err != nil {
		return err
	}
	if _, err := c.cmd(200, "PROT", "P"); err != nil {
		return fmt.Errorf("ftpclient: the server refuses to protect the data connections: %w", err)
	}
	return nil
}

// Greeting is the server's 220 text.
func (c *Client) Greeting() string { return c.greeting }

// Mode is the mode of the next transfer.
func (c *Client) Mode() Mode { return c.mode }

// SetMode sets the mode of the next transfers.
func (c *Client) SetMode(m Mode) { c.mode = m }

// Conversation is the control connection's conversation in the hub (zero when untapped).
func (c *Client) Conversation() lab.ConvID { return c.ctrlID }

// Features reports what FEAT listed (RFC 2389), by upper-case name ("MLST",
// "EPSV", "SIZE"), with each feature's parameters. It is filled in by Login.
func (c *Client) Features() map[string]string { return c.features }

// Login logs in with USER and PASS (anonymous servers may accept USER alone),
// then asks for the server's features (FEAT) and sets binary transfers (TYPE I).
func (c *Client) Login(user, pass string) error {
	if user == "" {
		user = "anonymous"
	}
	r, err := c.cmd(0, "USER", user)
	if err != nil {
		return err
	}
	switch r.Code {
	case 230:
	case 331, 332:
		r, err = c.cmd(0, "PASS", pass)
		if err != nil {
			return err
		}
		if r.Code == 332 {
			return &Error{Code: r.Code, Message: r.Text + " — this client does not send ACCT", Command: "PASS ****"}
		}
		if r.Code != 230 && r.Code != 202 {
			return &Error{Code: r.Code, Message: r.Text, Command: "PASS ****"}
		}
	default:
		return &Error{Code: r.Code, Message: r.Text, Command: "USER " + user}
	}
	c.features = map[string]string{}
	if r, err := c.cmd(0, "FEAT", ""); err == nil && r.Code == 211 {
		c.features = parseFeatures(r.Text)
	} else if err != nil {
		return err
	}
	_, err = c.cmd(200, "TYPE", "I")
	return err
}

// parseFeatures reads a 211 FEAT reply's lines: each feature on its own line,
// indented by a space (RFC 2389 §3.2).
func parseFeatures(text string) map[string]string {
	f := map[string]string{}
	lines := strings.Split(text, "\n")
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, " ") {
			continue
		}
		name, params, _ := strings.Cut(strings.TrimSpace(l), " ")
		if name != "" {
			f[strings.ToUpper(name)] = params
		}
	}
	return f
}

func (c *Client) has(feature string) bool {
	_, ok := c.features[feature]
	return ok
}

// Pwd returns the current folder (PWD, a 257 reply with the path in quotes).
func (c *Client) Pwd() (string, error) {
	r, err := c.cmd(257, "PWD", "")
	if err != nil {
		return "", err
	}
	return parseQuoted(r.Text)
}

// parseQuoted returns the path in a 257 reply: `"/a ""b""" is the current
// directory` gives `/a "b"` (RFC 959 Appendix II doubles quotes inside).
func parseQuoted(text string) (string, error) {
	text = firstLine(text)
	i := strings.IndexByte(text, '"')
	if i < 0 {
		return "", fmt.Errorf("ftpclient: the server's reply %q names no folder in quotes", text)
	}
	var b strings.Builder
	for j := i + 1; j < len(text); j++ {
		if text[j] != '"' {
			b.WriteByte(text[j])
			continue
		}
		if j+1 < len(text) && text[j+1] == '"' {
			b.WriteByte('"')
			j++
			continue
		}
		return b.String(), nil
	}
	return "", fmt.Errorf("ftpclient: the server's reply %q has an unclosed quote", text)
}

// Cwd changes the current folder (CWD; ".." goes up with CDUP).
func (c *Client) Cwd(path string) error {
	if path == ".." {
		_, err := c.cmd(2, "CDUP", "")
		return err
	}
	_, err := c.cmd(2, "CWD", path)
	return err
}

// Delete deletes a file (DELE).
func (c *Client) Delete(path string) error {
	_, err := c.cmd(2, "DELE", path)
	return err
}

// MakeDir makes a folder (MKD).
func (c *Client) MakeDir(path string) error {
	_, err := c.cmd(257, "MKD", path)
	return err
}

// RemoveDir removes an empty folder (RMD).
func (c *Client) RemoveDir(path string) error {
	_, err := c.cmd(2, "RMD", path)
	return err
}

// Rename renames or moves a file or folder (RNFR, then RNTO).
func (c *Client) Rename(from, to string) error {
	if _, err := c.cmd(350, "RNFR", from); err != nil {
		return err
	}
	_, err := c.cmd(2, "RNTO", to)
	return err
}

// Size returns a file's size in bytes (SIZE, RFC 3659 §4).
func (c *Client) Size(path string) (int64, error) {
	r, err := c.cmd(213, "SIZE", path)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(strings.TrimSpace(r.Text), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("ftpclient: the server's SIZE reply %q is not a size", r.Text)
	}
	return n, nil
}

// Noop asks the server for nothing but a reply (NOOP): it keeps an idle session alive.
func (c *Client) Noop() error {
	_, err := c.cmd(200, "NOOP", "")
	return err
}

// Quit ends the session politely (QUIT, then the server closes) and closes the
// connection.
func (c *Client) Quit() error {
	_, err := c.cmd(221, "QUIT", "")
	cerr := c.Close()
	if err != nil && !errors.Is(err, ErrClosed) {
		return err
	}
	return cerr
}

// Close closes the control connection, and any data connection in progress, at
// once. It is safe to call from another goroutine to interrupt an operation.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	if c.data != nil {
		c.data.Close()
	}
	if c.ln != nil {
		c.ln.Close()
	}
	c.mu.Unlock()
	return c.conn.Close()
}

func (c *Client) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// send writes one command line. arg must not hold a line break: a path with one
// would smuggle in a second command.
func (c *Client) send(verb, arg string) error {
	if c.isClosed() {
		return ErrClosed
	}
	if strings.ContainsAny(arg, "\r\n\x00") {
		return fmt.Errorf("ftpclient: %s: the argument %q holds a line break or NUL, which FTP cannot carry", verb, arg)
	}
	line := verb
	if arg != "" {
		line += " " + arg
	}
	c.conn.SetWriteDeadline(time.Now().Add(c.timeout))
	if _, err := c.conn.Write([]byte(line + "\r\n")); err != nil {
		return c.connErr(err)
	}
	return nil
}

// readReply reads one reply within the timeout.
func (c *Client) readReply() (reply, error) {
	c.conn.SetReadDeadline(time.Now().Add(c.timeout))
	r, err := c.rr.read()
	if err != nil {
		return r, c.connErr(err)
	}
	return r, nil
}

func (c *Client) connErr(err error) error {
	switch {
	case c.isClosed():
		return ErrClosed
	case errors.Is(err, syscall.ECONNRESET):
		return fmt.Errorf("ftpclient: the server reset the control connection: %w", err)
	case isTimeout(err):
		return fmt.Errorf("ftpclient: the server did not answer within %v: %w", c.timeout, err)
	}
	return err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// cmd sends a command and reads its reply. want is the code expected: a full
// code (250), a class (2), or 0 to take any reply and let the caller judge. A
// reply that is not the one wanted is returned as an *Error.
func (c *Client) cmd(want int, verb, arg string) (reply, error) {
	if err := c.send(verb, arg); err != nil {
		return reply{}, err
	}
	r, err := c.readReply()
	if err != nil {
		return r, err
	}
	if !expected(r.Code, want) {
		return r, replyErr(r, verb, arg)
	}
	return r, nil
}

func expected(code, want int) bool {
	switch {
	case want == 0:
		return true
	case want < 10:
		return code/100 == want
	}
	return code == want
}

func replyErr(r reply, verb, arg string) *Error {
	shown := verb
	if verb == "PASS" {
		arg = "****"
	}
	if arg != "" {
		shown += " " + arg
	}
	return &Error{Code: r.Code, Message: r.Text, Command: shown}
}
