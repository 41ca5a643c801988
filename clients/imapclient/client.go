// Package imapclient is the lab's IMAP client: the operations a person performs
// in a mail program that keeps mail on the server (log in, list mailboxes, list
// and read messages, flag, move, delete, upload, and wait in IDLE for news), on
// go-imap v2's imapclient (RFC 9051 and RFC 3501, with IDLE, MOVE and UIDPLUS).
//
// Every operation names messages by UID, which never changes, so two clients side
// by side (or a client and the lab's POP3 server deleting mail) cannot confuse one
// message with another.
//
// A tapped client captures its connection with Options.Tap (or Options.Dialer's
// tap); the captured bytes include the password LOGIN sends, in the clear unless
// Options.StartTLS protects it. With Options.KeyLog set to the hub's Keys() the
// lab decrypts what follows STARTTLS.
package imapclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/emersion/go-imap/v2"
	goimapclient "github.com/emersion/go-imap/v2/imapclient"

	"github.com/protocollab/protolab/clients/labdial"
	"github.com/protocollab/protolab/lab"
)

// Options configures a client. The zero value dials untapped, without TLS.
type Options struct {
	// Tap captures the connection (the "imap" protocol's tap). Nil captures
	// nothing. The connection carries the password, and the tap captures it.
	Tap *lab.Tap
	// Dialer, if set, dials instead of Tap: it resolves lab names (mail.alpha.test)
	// through the lab's DNS server and taps with its own Tap, which should be the
	// "imap" protocol's. Nil dials with Tap.
	Dialer *labdial.Dialer
	// StartTLS secures the connection with STARTTLS right after the greeting,
	// before anything else is sent; a server that does not offer it is an error.
	StartTLS bool
	// RootCAs are the certificate authorities the client trusts for STARTTLS
	// (the lab's CA). Nil means the system's.
	RootCAs *x509.CertPool
	// ServerName is the name checked in the server's certificate. Empty means
	// the host dialed.
	ServerName string
	// KeyLog, if set, receives the TLS secrets (NSS key log format): the hub's
	// Keys(), for the inspector to decrypt. Nil keeps them secret.
	KeyLog io.Writer
	// Timeout bounds the connect and each command. Zero means DefaultTimeout.
	Timeout time.Duration
}

// DefaultTimeout bounds each wait when Options.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Update is news the server sent on its own: in IDLE, or with a command's answer.
type Update struct {
	Kind     UpdateKind
	Messages uint32      // Exists: the number of messages in the mailbox now
	SeqNum   uint32      // Expunged, Flags: the message's sequence number
	UID      uint32      // Flags: the message's UID, when the server gave it
	Flags    []imap.Flag // Flags: the message's flags now
}

// UpdateKind says what an Update reports.
type UpdateKind int

const (
	Exists   UpdateKind = iota // the mailbox holds Messages messages (new mail arrived)
	Expunged                   // message SeqNum was removed; later ones move down by one
	Flags                      // message SeqNum's flags changed
)

func (k UpdateKind) String() string {
	switch k {
	case Exists:
		return "exists"
	case Expunged:
		return "expunged"
	case Flags:
		return "flags"
	}
	return fmt.Sprintf("UpdateKind(%d)", int(k))
}

// Client is one IMAP session. Its methods perform one operation at a time and
// must not be called concurrently, except Close, which may be called at any time.
// While Idle runs, only its stop function and Close may be called.
type Client struct {
	c       *goimapclient.Client
	raw     net.Conn
	conv    lab.ConvID
	timeout time.Duration

	mu       sync.Mutex
	onUpdate func(Update)
}

// Dial connects to the IMAP server at addr ("127.0.0.1:1143"), reads its
// greeting and, with Options.StartTLS, secures the connection. ctx bounds the
// connect, the greeting and STARTTLS.
func Dial(ctx context.Context, addr string, opts Options) (*Client, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("imapclient: %q is not host:port (for example 127.0.0.1:1143): %w", addr, err)
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	raw, err := labdial.Dial(ctx, opts.Dialer, opts.Tap, "tcp", addr)
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("imapclient: nothing is listening on %s (the connection was refused) — start the IMAP server first or check the port: %w", addr, err)
		}
		return nil, fmt.Errorf("imapclient: cannot connect to %s: %w", addr, err)
	}
	cl := &Client{raw: raw, timeout: timeout}
	if conv := lab.ConnConversation(raw); conv != nil {
		cl.conv = conv.ID()
	}
	o := &goimapclient.Options{UnilateralDataHandler: &goimapclient.UnilateralDataHandler{
		Expunge: func(seq uint32) { cl.update(Update{Kind: Expunged, SeqNum: seq}) },
		Mailbox: func(d *goimapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				cl.update(Update{Kind: Exists, Messages: *d.NumMessages})
			}
		},
		Fetch: func(msg *goimapclient.FetchMessageData) {
			buf, err := msg.Collect()
			if err != nil || buf.Flags == nil {
				return
			}
			cl.update(Update{Kind: Flags, SeqNum: buf.SeqNum, UID: uint32(buf.UID), Flags: buf.Flags})
		},
	}}
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Now()) })
	defer func() {
		if stop() {
			raw.SetDeadline(time.Time{})
		}
	}()
	if opts.StartTLS {
		name := opts.ServerName
		if name == "" {
			name = host
		}
		o.TLSConfig = &tls.Config{ServerName: name, RootCAs: opts.RootCAs, KeyLogWriter: opts.KeyLog, MinVersion: tls.VersionTLS12}
		cl.c, err = goimapclient.NewStartTLS(raw, o)
		if err != nil {
			raw.Close()
			return nil, fmt.Errorf("imapclient: STARTTLS with %s: %w", addr, err)
		}
	} else {
		cl.c = goimapclient.New(raw, o)
		if err := cl.c.WaitGreeting(); err != nil {
			cl.c.Close()
			return nil, fmt.Errorf("imapclient: no greeting from %s: %w", addr, err)
		}
	}
	return cl, nil
}

func (c *Client) update(u Update) {
	c.mu.Lock()
	f := c.onUpdate
	c.mu.Unlock()
	if f != nil {
		f(u)
	}
}

// OnUpdate sets the function told of every Update the server sends on its own,
// in IDLE or beside a command's answer; nil stops telling. It is called from the
// client's reading goroutine and must not call the Client's methods.
func (c *Client) OnUpdate(f func(Update)) {
	c.mu.Lock()
	c.onUpdate = f
	c.mu.Unlock()
}

// Conversation is the lab conversation of the connection (0 when untapped).
func (c *Client) Conversation() lab.ConvID { return c.conv }

// Caps is what the server says it supports now.
func (c *Client) Caps() imap.CapSet { return c.c.Caps() }

// wait waits for cmd with the client's timeout: a server that does not answer
// ends the session rather than hang the person's click forever.
func (c *Client) wait(what string, cmd interface{ Wait() error }) error {
	t := time.AfterFunc(c.timeout, func() { c.raw.SetDeadline(time.Now()) })
	err := cmd.Wait()
	if t.Stop() {
		c.raw.SetDeadline(time.Time{})
	}
	return wrap(what, err)
}

// wrap names the operation in an error a person can read.
func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	var ie *imap.Error
	if errors.As(err, &ie) {
		return &Error{Op: what, Type: string(ie.Type), Code: string(ie.Code), Text: ie.Text}
	}
	return fmt.Errorf("imapclient: %s: %w", what, err)
}

// Error is a NO or BAD the server answered a command with.
type Error struct {
	Op   string // "LOGIN", "SELECT Archive", ...
	Type string // "NO" or "BAD"
	Code string // the response code, "" if none: "AUTHENTICATIONFAILED", "TRYCREATE", ...
	Text string
}

func (e *Error) Error() string {
	code := ""
	if e.Code != "" {
		code = " [" + e.Code + "]"
	}
	return fmt.Sprintf("imapclient: %s: the server answered %s%s %s", e.Op, e.Type, code, e.Text)
}

// Login logs in with LOGIN. A refused login is an *Error with Code
// "AUTHENTICATIONFAILED" (wrong password) or "PRIVACYREQUIRED" (STARTTLS first).
func (c *Client) Login(user, password string) error {
	return c.wait("LOGIN", c.c.Login(user, password))
}

// Mailbox is one mailbox as Mailboxes lists it.
type Mailbox struct {
	Name     string
	Attrs    []imap.MailboxAttr // \Sent, \Trash, \HasChildren, ...
	Messages uint32
	Unseen   uint32
}

// Mailboxes lists every mailbox with its counts (LIST, and STATUS for each).
func (c *Client) Mailboxes() ([]Mailbox, error) {
	list, err := c.c.List("", "*", nil).Collect()
	if err != nil {
		return nil, wrap("LIST", err)
	}
	out := make([]Mailbox, 0, len(list))
	for _, l := range list {
		m := Mailbox{Name: l.Mailbox, Attrs: l.Attrs}
		noSelect := false
		for _, a := range l.Attrs {
			noSelect = noSelect || a == imap.MailboxAttrNoSelect || a == imap.MailboxAttrNonExistent
		}
		if !noSelect {
			st, err := c.c.Status(l.Mailbox, &imap.StatusOptions{NumMessages: true, NumUnseen: true}).Wait()
			if err != nil {
				return nil, wrap("STATUS "+l.Mailbox, err)
			}
			if st.NumMessages != nil {
				m.Messages = *st.NumMessages
			}
			if st.NumUnseen != nil {
				m.Unseen = *st.NumUnseen
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// Selected describes the mailbox Select opened.
type Selected struct {
	Name        string
	Messages    uint32
	UIDValidity uint32
	UIDNext     uint32
}

// Select opens a mailbox (SELECT) for List, Fetch and the rest.
func (c *Client) Select(name string) (Selected, error) {
	d, err := c.c.Select(name, nil).Wait()
	if err != nil {
		return Selected{}, wrap("SELECT "+name, err)
	}
	return Selected{Name: name, Messages: d.NumMessages, UIDValidity: d.UIDValidity, UIDNext: uint32(d.UIDNext)}, nil
}

// Summary is one message as List shows it.
type Summary struct {
	UID     uint32
	SeqNum  uint32
	From    string
	To      string
	Subject string
	Date    time.Time // the Date header's; the internal date when there is none
	Flags   []imap.Flag
	Size    int64
}

// Seen reports whether the message has been read.
func (s Summary) Seen() bool { return s.has(imap.FlagSeen) }

// Flagged reports whether the message is flagged (starred).
func (s Summary) Flagged() bool { return s.has(imap.FlagFlagged) }

func (s Summary) has(f imap.Flag) bool {
	for _, g := range s.Flags {
		if strings.EqualFold(string(g), string(f)) {
			return true
		}
	}
	return false
}

// List lists the selected mailbox's messages with their envelopes, flags and
// sizes (FETCH 1:* (UID FLAGS ENVELOPE RFC822.SIZE INTERNALDATE)), oldest first.
func (c *Client) List() ([]Summary, error) {
	set := imap.SeqSet{{Start: 1, Stop: 0}}
	if mb := c.c.Mailbox(); mb != nil && mb.NumMessages == 0 {
		return nil, nil
	}
	msgs, err := c.c.Fetch(set, &imap.FetchOptions{UID: true, Flags: true, Envelope: true, RFC822Size: true, InternalDate: true}).Collect()
	if err != nil {
		return nil, wrap("FETCH", err)
	}
	out := make([]Summary, 0, len(msgs))
	for _, m := range msgs {
		s := Summary{UID: uint32(m.UID), SeqNum: m.SeqNum, Flags: m.Flags, Size: m.RFC822Size, Date: m.InternalDate}
		if e := m.Envelope; e != nil {
			s.Subject = e.Subject
			s.From = addrs(e.From)
			s.To = addrs(e.To)
			if !e.Date.IsZero() {
				s.Date = e.Date
			}
		}
		out = append(out, s)
	}
	return out, nil
}

func addrs(list []imap.Address) string {
	s := make([]string, 0, len(list))
	for _, a := range list {
		if a.Name != "" {
			s = append(s, fmt.Sprintf("%s <%s>", a.Name, a.Addr()))
		} else {
			s = append(s, a.Addr())
		}
	}
	return strings.Join(s, ", ")
}

// Fetch returns the raw bytes of message uid (UID FETCH uid BODY[]), which marks
// it \Seen, as opening a mail in a mail program does.
func (c *Client) Fetch(uid uint32) ([]byte, error) {
	section := &imap.FetchItemBodySection{}
	msgs, err := c.c.Fetch(imap.UIDSetNum(imap.UID(uid)), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		return nil, wrap(fmt.Sprintf("UID FETCH %d", uid), err)
	}
	for _, m := range msgs {
		if uint32(m.UID) == uid {
			if b := m.FindBodySection(section); b != nil {
				return b, nil
			}
		}
	}
	return nil, fmt.Errorf("imapclient: there is no message with UID %d in this mailbox (another client may have removed it)", uid)
}

// AddFlags adds flags to message uid (UID STORE uid +FLAGS).
func (c *Client) AddFlags(uid uint32, flags ...imap.Flag) error {
	return c.store(uid, imap.StoreFlagsAdd, flags)
}

// RemoveFlags removes flags from message uid (UID STORE uid -FLAGS).
func (c *Client) RemoveFlags(uid uint32, flags ...imap.Flag) error {
	return c.store(uid, imap.StoreFlagsDel, flags)
}

func (c *Client) store(uid uint32, op imap.StoreFlagsOp, flags []imap.Flag) error {
	cmd := c.c.Store(imap.UIDSetNum(imap.UID(uid)), &imap.StoreFlags{Op: op, Silent: true, Flags: flags}, nil)
	return wrap(fmt.Sprintf("UID STORE %d", uid), cmd.Close())
}

// Move moves message uid to mailbox to (UID MOVE, or COPY and EXPUNGE where the
// server has no MOVE).
func (c *Client) Move(uid uint32, to string) error {
	_, err := c.c.Move(imap.UIDSetNum(imap.UID(uid)), to).Wait()
	return wrap(fmt.Sprintf("UID MOVE %d %s", uid, to), err)
}

// Copy copies message uid to mailbox to (UID COPY).
func (c *Client) Copy(uid uint32, to string) error {
	_, err := c.c.Copy(imap.UIDSetNum(imap.UID(uid)), to).Wait()
	return wrap(fmt.Sprintf("UID COPY %d %s", uid, to), err)
}

// Delete removes message uid for good: it flags it \Deleted and expunges it
// (UID EXPUNGE, so other messages flagged \Deleted stay).
func (c *Client) Delete(uid uint32) error {
	if err := c.AddFlags(uid, imap.FlagDeleted); err != nil {
		return err
	}
	set := imap.UIDSetNum(imap.UID(uid))
	var cmd *goimapclient.ExpungeCommand
	if c.c.Caps().Has(imap.CapUIDPlus) || c.c.Caps().Has(imap.CapIMAP4rev2) {
		cmd = c.c.UIDExpunge(set)
	} else {
		cmd = c.c.Expunge()
	}
	_, err := cmd.Collect()
	return wrap(fmt.Sprintf("UID EXPUNGE %d", uid), err)
}

// Append uploads raw into mailbox with flags (APPEND) and returns its UID, or 0
// when the server does not say (no UIDPLUS).
func (c *Client) Append(mailbox string, raw []byte, flags ...imap.Flag) (uint32, error) {
	cmd := c.c.Append(mailbox, int64(len(raw)), &imap.AppendOptions{Flags: flags})
	if _, err := cmd.Write(raw); err != nil {
		cmd.Close()
		return 0, wrap("APPEND "+mailbox, err)
	}
	if err := cmd.Close(); err != nil {
		return 0, wrap("APPEND "+mailbox, err)
	}
	d, err := cmd.Wait()
	if err != nil {
		return 0, wrap("APPEND "+mailbox, err)
	}
	return uint32(d.UID), nil
}

// Idle starts IDLE: until stop is called, the server reports changes as they
// happen, and onUpdate (if non-nil; else the OnUpdate function) is told of each,
// from the client's reading goroutine. stop ends IDLE (DONE) and waits for the
// server's answer.
func (c *Client) Idle(onUpdate func(Update)) (stop func() error, err error) {
	c.mu.Lock()
	prev := c.onUpdate
	if onUpdate != nil {
		c.onUpdate = onUpdate
	}
	c.mu.Unlock()
	cmd, err := c.c.Idle()
	if err != nil {
		c.OnUpdate(prev)
		return nil, wrap("IDLE", err)
	}
	return func() error {
		defer c.OnUpdate(prev)
		if err := cmd.Close(); err != nil {
			return wrap("DONE", err)
		}
		return c.wait("IDLE", cmd)
	}, nil
}

// Noop asks the server for news (NOOP); updates go to the OnUpdate function.
func (c *Client) Noop() error { return c.wait("NOOP", c.c.Noop()) }

// Logout ends the session (LOGOUT) and closes the connection.
func (c *Client) Logout() error {
	err := c.wait("LOGOUT", c.c.Logout())
	c.c.Close()
	return err
}

// Close closes the connection at once.
func (c *Client) Close() error { return c.c.Close() }
