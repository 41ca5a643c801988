package smtpserver_test

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/protocols/dns"
	"github.com/protocollab/protolab/protocols/smtp"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/internal/servertest"
	"github.com/protocollab/protolab/servers/mailstore"
	"github.com/protocollab/protolab/servers/smtpserver"
)

// newHub returns a hub that knows TCP, DNS and both SMTP servers, as the app's does.
func newHub() *lab.Hub {
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	reg.Register(dns.Protocol())
	reg.Register(smtp.Protocol())
	reg.Register(smtp.BetaProtocol())
	return lab.NewHub(lab.HubOptions{Registry: reg})
}

// caFile makes a lab CA for the test, with its certificate exported to a file.
func caFile(t testing.TB) (string, *labca.CA) {
	t.Helper()
	dir := t.TempDir()
	ca, err := labca.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, "ca.pem")
	if err := ca.Export(f); err != nil {
		t.Fatal(err)
	}
	return f, ca
}

func labTLS(t testing.TB, ca *labca.CA) *tls.Config {
	cfg, err := smtpserver.LabTLS(ca, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// newStore returns a store of domain in a new folder with one account.
func newStore(t testing.TB, domain string, accounts ...mailstore.Account) *mailstore.Store {
	t.Helper()
	s, err := mailstore.Open(t.TempDir(), domain)
	if err != nil {
		t.Fatal(err)
	}
	if accounts == nil {
		accounts = mailstore.DefaultAccounts(domain)
	}
	s.SetAccounts(accounts)
	return s
}

// startServer serves opts on 127.0.0.1:0 until the test ends, and checks that
// Serve then returns ErrServerClosed.
func startServer(t testing.TB, opts smtpserver.Options) (*smtpserver.Server, string) {
	t.Helper()
	if opts.ErrorLog == nil {
		opts.ErrorLog = log.New(io.Discard, "", 0)
	}
	if opts.AuthDelay == 0 {
		opts.AuthDelay = -1
	}
	srv := smtpserver.New(opts)
	return srv, servertest.Start(t, srv, smtpserver.ErrServerClosed)
}

// conn is a raw SMTP conversation, to check exact replies.
type conn struct {
	t  testing.TB
	c  net.Conn
	br *bufio.Reader
}

func dial(t testing.TB, addr string) *conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(30 * time.Second))
	t.Cleanup(func() { c.Close() })
	cc := &conn{t: t, c: c, br: bufio.NewReader(c)}
	cc.expect(220)
	return cc
}

// reply reads one reply: its code and its lines' text.
func (c *conn) reply() (int, string) {
	c.t.Helper()
	var text []string
	for {
		line, err := c.br.ReadString('\n')
		if err != nil {
			c.t.Fatalf("reading a reply: %v", err)
		}
		line = strings.TrimRight(line, "\r\n")
		if len(line) < 3 {
			c.t.Fatalf("bad reply line %q", line)
		}
		var code int
		fmt.Sscanf(line[:3], "%d", &code)
		text = append(text, line[min(4, len(line)):])
		if len(line) == 3 || line[3] == ' ' {
			return code, strings.Join(text, "\n")
		}
	}
}

func (c *conn) expect(code int) string {
	c.t.Helper()
	got, text := c.reply()
	if got != code {
		c.t.Fatalf("reply %d %q, want %d", got, text, code)
	}
	return text
}

func (c *conn) cmd(code int, format string, args ...any) string {
	c.t.Helper()
	fmt.Fprintf(c.c, format+"\r\n", args...)
	return c.expect(code)
}

func (c *conn) startTLS(cfg *tls.Config) {
	c.t.Helper()
	c.cmd(220, "STARTTLS")
	tc := tls.Client(c.c, cfg)
	if err := tc.Handshake(); err != nil {
		c.t.Fatal(err)
	}
	c.c, c.br = tc, bufio.NewReader(tc)
}

var _ = io.EOF

func tlsWithKeys(t testing.TB, ca *labca.CA, hub *lab.Hub) *tls.Config {
	cfg := labTLS(t, ca)
	cfg.KeyLogWriter = hub.Keys()
	return cfg
}

func port(addr string) int {
	_, p, _ := net.SplitHostPort(addr)
	var n int
	fmt.Sscanf(p, "%d", &n)
	return n
}

// send sends one message from one sender to one recipient, each step accepted.
func (c *conn) send(from, to, data string) {
	c.t.Helper()
	c.cmd(250, "MAIL FROM:<%s>", from)
	c.cmd(250, "RCPT TO:<%s>", to)
	c.cmd(354, "DATA")
	c.cmd(250, "%s\r\n.", data)
}

// onlyMessage is the one message in user's INBOX.
func onlyMessage(t testing.TB, store *mailstore.Store, user string) []byte {
	t.Helper()
	msgs, err := store.List(user, "INBOX")
	if err != nil || len(msgs) != 1 {
		t.Fatalf("%s's INBOX = %v, %v; want one message", user, msgs, err)
	}
	raw, err := store.Fetch(user, "INBOX", msgs[0].UID)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
