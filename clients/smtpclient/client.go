// Package smtpclient is the lab's SMTP client: it composes a message (Compose:
// text, or multipart/mixed with attachments, RFC 5322, RFC 2045–2047) and sends
// it to an SMTP server (RFC 5321) with STARTTLS (RFC 3207) and AUTH PLAIN or
// LOGIN (RFC 4954), using github.com/emersion/go-smtp, through a lab tap so the
// inspector shows the conversation.
package smtpclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/textproto"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/protocollab/protolab/clients/labdial"
	"github.com/protocollab/protolab/lab"
)

// Options configures Send. The zero value sends untapped, without TLS or login.
type Options struct {
	// Tap captures the connection; nil captures nothing. Dialer, if set, is used
	// instead (its own Tap captures, and lab names resolve through the lab DNS).
	Tap    *lab.Tap
	Dialer *labdial.Dialer
	// User and Password log in with AUTH PLAIN (or LOGIN when PLAIN is not
	// offered); an empty User sends without logging in.
	User, Password string
	// StartTLS switches to TLS before logging in and sending, and fails if the
	// server does not offer it.
	StartTLS bool
	// RootCAs verifies the server's certificate; nil means the system's roots.
	// ServerName is the name checked; "" means the host of addr.
	RootCAs    *x509.CertPool
	ServerName string
	// KeyLog receives the TLS secrets (the lab hub's Keys()) so the inspector
	// can decrypt the session.
	KeyLog io.Writer
	// Hello is the name the client greets with; "" means "client.lab.test".
	Hello string
}

// Result is what a Send got.
type Result struct {
	Conv     lab.ConvID // the captured conversation; 0 untapped
	Replies  []string   // every reply line of the server, in order ("250-PIPELINING")
	Response string     // the reply to the message itself ("2.0.0 OK: queued")
	TLS      bool       // the message went inside TLS
}

// Send composes m and sends it to the SMTP server at addr ("127.0.0.1:2525",
// or "mail.alpha.test:2525" with a Dialer). The envelope sender is m.From's
// address and the recipients those of To, Cc and Bcc.
func Send(ctx context.Context, addr string, opts Options, m Mail) (Result, error) {
	return SendRaw(ctx, addr, opts, m.From, slices.Concat(m.To, m.Cc, m.Bcc), Compose(m))
}

// SendRaw sends a message as it is.
func SendRaw(ctx context.Context, addr string, opts Options, from string, to []string, msg []byte) (res Result, err error) {
	fromAddr, err := address(from)
	if err != nil {
		return res, err
	}
	var rcpts []string
	for _, t := range to {
		a, err := address(t)
		if err != nil {
			return res, err
		}
		rcpts = append(rcpts, a)
	}
	if len(rcpts) == 0 {
		return res, errors.New("smtpclient: no recipients")
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return res, fmt.Errorf("smtpclient: %q is not host:port: %w", addr, err)
	}
	conn, err := labdial.Dial(ctx, opts.Dialer, opts.Tap, "tcp", addr)
	if err != nil {
		return res, fmt.Errorf("smtpclient: connecting to %s: %w", addr, err)
	}
	defer conn.Close()
	if c := lab.ConnConversation(conn); c != nil {
		res.Conv = c.ID()
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	defer context.AfterFunc(ctx, func() { conn.SetDeadline(aLongTimeAgo) })()
	rec := &recorder{}
	defer func() { res.Replies = rec.lines() }()

	name := opts.Hello
	if name == "" {
		name = "client.lab.test"
	}
	serverName := opts.ServerName
	if serverName == "" {
		serverName = host
	}
	c, isTLS, err := start(conn, rec, name, opts.StartTLS, &tls.Config{
		ServerName: serverName, RootCAs: opts.RootCAs, KeyLogWriter: opts.KeyLog, MinVersion: tls.VersionTLS12})
	if err != nil {
		return res, fmt.Errorf("smtpclient: %w", err)
	}
	defer c.Close()
	res.TLS = isTLS
	if opts.User != "" {
		var a sasl.Client
		switch {
		case c.SupportsAuth(sasl.Plain):
			a = sasl.NewPlainClient("", opts.User, opts.Password)
		case c.SupportsAuth(sasl.Login):
			a = sasl.NewLoginClient(opts.User, opts.Password)
		default:
			if ok, _ := c.Extension("STARTTLS"); ok && !isTLS {
				return res, errors.New("smtpclient: the server offers no login before STARTTLS: turn STARTTLS on")
			}
			return res, errors.New("smtpclient: the server offers no AUTH PLAIN or LOGIN")
		}
		if err := c.Auth(a); err != nil {
			return res, fmt.Errorf("smtpclient: logging in as %s: %w", opts.User, err)
		}
	}
	if err := c.Mail(fromAddr, nil); err != nil {
		return res, fmt.Errorf("smtpclient: MAIL FROM:<%s>: %w", fromAddr, err)
	}
	for _, r := range rcpts {
		if err := c.Rcpt(r, nil); err != nil {
			return res, fmt.Errorf("smtpclient: RCPT TO:<%s>: %w", r, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return res, fmt.Errorf("smtpclient: DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return res, fmt.Errorf("smtpclient: sending the message: %w", err)
	}
	dr, err := w.CloseWithResponse()
	if err != nil {
		return res, fmt.Errorf("smtpclient: the message: %w", err)
	}
	res.Response = dr.StatusText
	c.Quit()
	return res, nil
}

// start reads the greeting, says EHLO as name and, when wanted, switches to
// TLS, then hands the session to go-smtp's client (whose own STARTTLS would
// greet as "localhost"). Every reply is recorded in rec.
func start(conn net.Conn, rec *recorder, name string, startTLS bool, cfg *tls.Config) (*smtp.Client, bool, error) {
	tp := textproto.NewConn(&recConn{Conn: conn, rec: rec})
	if _, _, err := tp.ReadResponse(220); err != nil {
		return nil, false, err
	}
	greeting := "220 greeted before\r\n"
	if !startTLS {
		c := smtp.NewClient(&recConn{Conn: conn, rec: rec, pre: greeting})
		return c, false, c.Hello(name)
	}
	id, err := tp.Cmd("EHLO %s", name)
	if err != nil {
		return nil, false, err
	}
	tp.StartResponse(id)
	_, ext, err := tp.ReadResponse(250)
	tp.EndResponse(id)
	if err != nil {
		return nil, false, err
	}
	if !slices.ContainsFunc(strings.Split(ext, "\n"), func(l string) bool { return strings.EqualFold(strings.TrimSpace(l), "STARTTLS") }) {
		return nil, false, errors.New("the server does not offer STARTTLS")
	}
	id, err = tp.Cmd("STARTTLS")
	if err != nil {
		return nil, false, err
	}
	tp.StartResponse(id)
	_, _, err = tp.ReadResponse(220)
	tp.EndResponse(id)
	if err != nil {
		return nil, false, err
	}
	tc := tls.Client(conn, cfg)
	if err := tc.Handshake(); err != nil {
		return nil, false, fmt.Errorf("TLS: %w", err)
	}
	c := smtp.NewClient(&recConn{Conn: tc, rec: rec, pre: greeting})
	return c, true, c.Hello(name)
}

func address(s string) (string, error) {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", fmt.Errorf("smtpclient: %q is not a mail address: %w", s, err)
	}
	return a.Address, nil
}

func domainOf(s string) string {
	if a, err := mail.ParseAddress(s); err == nil {
		s = a.Address
	}
	if _, d, ok := strings.Cut(s, "@"); ok && d != "" {
		return d
	}
	return "lab.test"
}

// recorder keeps the server's reply bytes (bounded).
type recorder struct {
	mu sync.Mutex
	b  bytes.Buffer
}

const maxRecorded = 64 << 10

func (r *recorder) add(p []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if room := maxRecorded - r.b.Len(); room > 0 {
		r.b.Write(p[:min(room, len(p))])
	}
}

func (r *recorder) lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, l := range strings.Split(r.b.String(), "\n") {
		if l = strings.TrimRight(l, "\r"); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// recConn records what is read, after handing out pre (a greeting the
// session already had) first.
type recConn struct {
	net.Conn
	rec *recorder
	pre string
}

func (c *recConn) Read(b []byte) (int, error) {
	if c.pre != "" {
		n := copy(b, c.pre)
		c.pre = c.pre[n:]
		return n, nil
	}
	n, err := c.Conn.Read(b)
	c.rec.add(b[:n])
	return n, err
}

var aLongTimeAgo = time.Unix(1, 0)
