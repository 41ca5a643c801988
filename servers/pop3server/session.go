package pop3server

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/subtle"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/protocollab/protolab/protocols/pop3"
	"github.com/protocollab/protolab/servers/internal/bounded"
	"github.com/protocollab/protolab/servers/mailstore"
)

// handshakeTimeout bounds the TLS handshake after STLS.
const handshakeTimeout = 30 * time.Second

// maxLine bounds a line the client sends, CRLF included: a command line (255
// bytes at most, RFC 2449 §4, answered -ERR while within maxLine) or a line of
// a SASL exchange (RFC 5034 §4).
const maxLine = 4096

// writeTimeout bounds each flush of responses to a client that does not read.
const writeTimeout = time.Minute

// session serves one connection, one command at a time; its responses are
// flushed whenever no pipelined command waits in the input.
type session struct {
	srv *Server
	raw net.Conn // the tapped connection
	ip  netip.Addr

	mu   sync.Mutex // guards conn (replaced at STLS) against wake and kill
	conn net.Conn
	r    *bounded.Lines
	w    *bufio.Writer

	stamp string // the greeting's APOP timestamp
	inTLS bool
	user  string    // the name USER gave, waiting for PASS
	drop  *maildrop // the maildrop, once logged in
	fails int
}

// maildrop is the snapshot of a user's INBOX taken at login, with the marks of
// DELE. Message n is msgs[n-1].
type maildrop struct {
	store    *mailstore.Store
	addr     string
	validity uint32
	msgs     []mailstore.Message
	deleted  []bool
}

func newSession(srv *Server, c net.Conn) *session {
	ss := &session{srv: srv, raw: c, conn: c}
	ss.r = bounded.NewLines(c, maxLine)
	ss.w = bufio.NewWriter(c)
	if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
		ss.ip = ap.Addr().Unmap()
	}
	ss.stamp = fmt.Sprintf("<%d.%d@pop3.lab.test>", os.Getpid(), time.Now().UnixNano())
	return ss
}

// kill closes the connection at once.
func (ss *session) kill() {
	ss.raw.Close()
}

// wake interrupts a session waiting for a command, so that it sees the server
// shutting down.
func (ss *session) wake() {
	ss.mu.Lock()
	ss.conn.SetReadDeadline(time.Now())
	ss.mu.Unlock()
}

// send queues one response line.
func (ss *session) send(format string, args ...any) {
	fmt.Fprintf(ss.w, format, args...)
	ss.w.WriteString("\r\n")
}

func (ss *session) flush() error {
	ss.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	return ss.w.Flush()
}

func (ss *session) serve() {
	defer func() {
		if ss.drop != nil {
			ss.srv.unlock(ss.drop.addr, ss)
		}
		ss.raw.Close()
	}()
	banner := ss.srv.Banner
	if banner == "" {
		banner = "Protocol Lab POP3 server ready"
	}
	ss.send("+OK %s %s", banner, ss.stamp)
	if ss.flush() != nil {
		return
	}
	for {
		ss.mu.Lock()
		ss.conn.SetReadDeadline(time.Now().Add(ss.srv.idleTimeout()))
		ss.mu.Unlock()
		if ss.srv.conns.Closing() {
			ss.shutdown()
			return
		}
		line, err := ss.readLine()
		if err != nil {
			var ne net.Error
			switch {
			case ss.srv.conns.Closing():
				ss.shutdown()
			case errors.As(err, &ne) && ne.Timeout():
				ss.send("-ERR Idle for %v: closing the connection; nothing was deleted.", ss.srv.idleTimeout())
				ss.flush()
			case errors.Is(err, bounded.ErrTooLong):
				// The rest of the line is never read: it would only fill memory.
				ss.srv.logf("pop3server: %s sent a line longer than %d bytes; disconnected", ss.ip, maxLine)
				ss.send("-ERR Line too long (more than %d bytes): closing the connection; nothing was deleted.", maxLine)
				ss.flush()
				bounded.Linger(ss.conn)
			}
			return
		}
		more := ss.command(line)
		if ss.r.Buffered() == 0 || !more {
			if ss.flush() != nil {
				return
			}
		}
		if !more {
			return
		}
	}
}

// shutdown tells the client the server is going away.
func (ss *session) shutdown() {
	ss.send("-ERR [SYS/TEMP] The server is shutting down; nothing was deleted. Try again later.")
	ss.flush()
}

// readLine reads one command line, or one line of a SASL exchange, bounded by
// maxLine: a longer line is a bounded.TooLongError, with nothing past the bound
// read. A command line over pop3.MaxCommandLine but within maxLine is returned,
// for ParseCommand to refuse.
func (ss *session) readLine() ([]byte, error) { return ss.r.ReadLine() }

// command runs one command line; false ends the session.
func (ss *session) command(line []byte) bool {
	cmd, err := pop3.ParseCommand(line)
	switch {
	case errors.Is(err, pop3.ErrEmpty):
		ss.send("-ERR An empty line is not a command.")
		return true
	case errors.Is(err, pop3.ErrLineTooLong):
		ss.send("-ERR Command line too long: %d bytes at most, CRLF included (RFC 2449).", pop3.MaxCommandLine)
		return true
	case err != nil:
		ss.send("-ERR Malformed command: a keyword, then arguments separated by single spaces.")
		return true
	}
	switch cmd.Keyword {
	case "QUIT":
		return ss.quit()
	case "CAPA":
		ss.capa()
		return true
	case "NOOP":
		if ss.drop == nil {
			ss.send("-ERR Log in first.")
		} else {
			ss.send("+OK")
		}
		return true
	}
	if ss.drop == nil {
		return ss.authorization(cmd)
	}
	ss.transaction(cmd)
	return true
}

// plainAllowed says whether USER and PASS may log in now.
func (ss *session) plainAllowed() bool {
	return ss.inTLS || ss.srv.TLS == nil || ss.srv.AllowPlainBeforeTLS
}

func (ss *session) capa() {
	ss.send("+OK Capability list follows")
	ss.send("TOP")
	ss.send("UIDL")
	ss.send("RESP-CODES")
	ss.send("AUTH-RESP-CODE")
	ss.send("PIPELINING")
	ss.send("EXPIRE NEVER")
	if ss.drop == nil && ss.plainAllowed() {
		ss.send("USER")
	}
	if ss.drop == nil && ss.srv.TLS != nil && !ss.inTLS {
		ss.send("STLS")
	}
	ss.send("IMPLEMENTATION Protocol-Lab")
	ss.send(".")
}

// authorization runs a command of the AUTHORIZATION state.
func (ss *session) authorization(cmd pop3.Command) bool {
	switch cmd.Keyword {
	case "STLS":
		return ss.stls()
	case "USER":
		if !ss.plainAllowed() {
			ss.send("-ERR [AUTH] Plain-text login is refused before STLS: send STLS first (or allow plain-text login in the server's settings).")
			return true
		}
		if cmd.Arg == "" {
			ss.send("-ERR USER needs a name.")
			return true
		}
		ss.user = cmd.Arg
		ss.send("+OK Send the password for %s.", cmd.Arg)
	case "PASS":
		if !ss.plainAllowed() {
			ss.send("-ERR [AUTH] Plain-text login is refused before STLS: send STLS first (or allow plain-text login in the server's settings).")
			return true
		}
		if ss.user == "" {
			ss.send("-ERR Send USER first.")
			return true
		}
		name := ss.user
		ss.user = ""
		st, addr, err := ss.authenticate(name, cmd.Arg)
		return ss.login(name, st, addr, err)
	case "APOP":
		if len(cmd.Args) != 2 {
			ss.send("-ERR APOP needs a name and a digest.")
			return true
		}
		st, addr, err := ss.apop(cmd.Args[0], cmd.Args[1])
		return ss.login(cmd.Args[0], st, addr, err)
	case "AUTH":
		ss.send("-ERR SASL is not offered here: log in with USER and PASS (after STLS), or APOP.")
	case "STAT", "LIST", "UIDL", "RETR", "TOP", "DELE", "RSET":
		ss.send("-ERR Log in first: %s works in the TRANSACTION state.", cmd.Keyword)
	default:
		ss.send("-ERR Unknown command %s.", cmd.Keyword)
	}
	return true
}

// stls turns the connection into TLS (RFC 2595 §4).
func (ss *session) stls() bool {
	switch {
	case ss.srv.TLS == nil:
		ss.send("-ERR STLS is not offered here.")
		return true
	case ss.inTLS:
		ss.send("-ERR The connection is TLS already.")
		return true
	}
	ss.send("+OK Begin TLS negotiation")
	if ss.flush() != nil {
		return false
	}
	if ss.r.Buffered() > 0 {
		// Plain-text bytes pipelined after STLS would be taken as sent under TLS:
		// the command injection of CVE-2011-0411. Refuse the session.
		ss.srv.logf("pop3server: %s sent data after STLS before the TLS handshake; closing", ss.ip)
		return false
	}
	tc := tls.Server(ss.raw, ss.srv.tlsConfig())
	tc.SetDeadline(time.Now().Add(handshakeTimeout))
	if err := tc.Handshake(); err != nil {
		ss.srv.logf("pop3server: TLS handshake with %s: %v", ss.ip, err)
		return false
	}
	tc.SetDeadline(time.Time{})
	ss.mu.Lock()
	ss.conn = tc
	ss.mu.Unlock()
	ss.r.Reset(tc)
	ss.w = bufio.NewWriter(tc)
	ss.inTLS, ss.user = true, ""
	return true
}

// authenticate tries name and pass against each store.
func (ss *session) authenticate(name, pass string) (*mailstore.Store, string, error) {
	var failure error = mailstore.ErrAuth
	for _, st := range ss.srv.Stores {
		addr, err := st.Authenticate(name, pass)
		if err == nil {
			return st, addr, nil
		}
		if !errors.Is(err, mailstore.ErrAuth) {
			failure = err
		}
	}
	return nil, "", failure
}

// apop checks an APOP digest: the MD5 of the greeting's timestamp and the
// password, in lower-case hex (RFC 1939 §7).
func (ss *session) apop(name, digest string) (*mailstore.Store, string, error) {
	for _, st := range ss.srv.Stores {
		local, domain, hasDomain := strings.Cut(name, "@")
		if hasDomain && !strings.EqualFold(domain, st.Domain()) {
			continue
		}
		for _, a := range st.Accounts() {
			if !strings.EqualFold(a.User, local) || a.Password == "" {
				continue
			}
			sum := md5.Sum([]byte(ss.stamp + a.Password))
			if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(strings.ToLower(digest))) == 1 {
				addr, err := st.Authenticate(name, a.Password)
				return st, addr, err
			}
		}
	}
	return nil, "", mailstore.ErrAuth
}

// login ends a login attempt: on success it locks and opens the maildrop; a
// failure is answered after the growing delay. False ends the session.
func (ss *session) login(name string, st *mailstore.Store, addr string, err error) bool {
	switch {
	case errors.Is(err, mailstore.ErrAuth):
		ss.fails++
		ss.srv.logf("pop3server: failed login for %q from %s", name, ss.ip)
		if !ss.srv.guard.FailConn(ss.srv.conns.Done(), ss.raw) {
			ss.shutdown()
			return false
		}
		if ss.fails >= ss.srv.maxAuthFailures() {
			ss.send("-ERR [AUTH] Wrong user name or password. Too many failures: closing the connection.")
			return false
		}
		ss.send("-ERR [AUTH] Wrong user name or password.")
		return true
	case err != nil:
		ss.srv.logf("pop3server: login for %q: %v", name, err)
		ss.send("-ERR [SYS/TEMP] The mail store failed; try again later.")
		return true
	}
	if !ss.srv.lock(addr, ss) {
		ss.send("-ERR [IN-USE] Another session holds %s's maildrop; try again when it ends.", addr)
		return true
	}
	d := &maildrop{store: st, addr: addr}
	info, err := st.Status(addr, mailstore.Inbox)
	if err == nil {
		d.msgs, err = st.List(addr, mailstore.Inbox)
	}
	if err != nil {
		ss.srv.unlock(addr, ss)
		ss.srv.logf("pop3server: opening %s's maildrop: %v", addr, err)
		ss.send("-ERR [SYS/TEMP] Cannot open the maildrop; try again later.")
		return true
	}
	ss.srv.guard.Succeed(ss.raw.RemoteAddr())
	d.validity = info.UIDValidity
	d.deleted = make([]bool, len(d.msgs))
	ss.drop = d
	n, size := d.stat()
	ss.send("+OK %s's maildrop has %s (%d octets)", addr, plural(n, "message"), size)
	return true
}

// stat counts the messages not marked deleted and their size.
func (d *maildrop) stat() (n int, size int64) {
	for i, m := range d.msgs {
		if !d.deleted[i] {
			n++
			size += m.Size
		}
	}
	return n, size
}

// message finds message arg (a number from 1); it answers -ERR itself and
// returns -1 when there is none.
func (ss *session) message(arg string) int {
	var n int
	if _, err := fmt.Sscan(arg, &n); err != nil || fmt.Sprint(n) != arg {
		ss.send("-ERR %q is not a message number.", arg)
		return -1
	}
	d := ss.drop
	switch {
	case n < 1 || n > len(d.msgs):
		ss.send("-ERR No message %d: the maildrop has %d.", n, len(d.msgs))
		return -1
	case d.deleted[n-1]:
		ss.send("-ERR Message %d is marked deleted (RSET unmarks it).", n)
		return -1
	}
	return n - 1
}

func (d *maildrop) uidl(i int) string {
	return fmt.Sprintf("%d.%d", d.validity, d.msgs[i].UID)
}

// transaction runs a command of the TRANSACTION state.
func (ss *session) transaction(cmd pop3.Command) {
	d := ss.drop
	switch cmd.Keyword {
	case "STAT":
		n, size := d.stat()
		ss.send("+OK %d %d", n, size)
	case "LIST", "UIDL":
		if len(cmd.Args) > 0 {
			if i := ss.message(cmd.Args[0]); i >= 0 {
				if cmd.Keyword == "LIST" {
					ss.send("+OK %d %d", i+1, d.msgs[i].Size)
				} else {
					ss.send("+OK %d %s", i+1, d.uidl(i))
				}
			}
			return
		}
		n, size := d.stat()
		if cmd.Keyword == "LIST" {
			ss.send("+OK %s (%d octets)", plural(n, "message"), size)
		} else {
			ss.send("+OK %s", plural(n, "message"))
		}
		for i, m := range d.msgs {
			switch {
			case d.deleted[i]:
			case cmd.Keyword == "LIST":
				ss.send("%d %d", i+1, m.Size)
			default:
				ss.send("%d %s", i+1, d.uidl(i))
			}
		}
		ss.send(".")
	case "RETR", "TOP":
		ss.retr(cmd)
	case "DELE":
		if len(cmd.Args) != 1 {
			ss.send("-ERR DELE needs a message number.")
			return
		}
		if i := ss.message(cmd.Args[0]); i >= 0 {
			d.deleted[i] = true
			ss.send("+OK Message %d marked deleted; it is removed at QUIT.", i+1)
		}
	case "RSET":
		n := 0
		for i := range d.deleted {
			if d.deleted[i] {
				n++
				d.deleted[i] = false
			}
		}
		all, size := d.stat()
		ss.send("+OK %s unmarked; the maildrop has %s (%d octets)", plural(n, "message"), plural(all, "message"), size)
	case "USER", "PASS", "APOP", "AUTH", "STLS":
		ss.send("-ERR Already logged in.")
	default:
		ss.send("-ERR Unknown command %s.", cmd.Keyword)
	}
}

// retr sends a message (RETR n) or its headers and first lines (TOP n k).
func (ss *session) retr(cmd pop3.Command) {
	want := 1
	if cmd.Keyword == "TOP" {
		want = 2
	}
	if len(cmd.Args) != want {
		ss.send("-ERR %s needs %s.", cmd.Keyword, map[int]string{1: "a message number", 2: "a message number and a count of lines"}[want])
		return
	}
	lines := -1
	if cmd.Keyword == "TOP" {
		if _, err := fmt.Sscan(cmd.Args[1], &lines); err != nil || lines < 0 {
			ss.send("-ERR %q is not a count of lines.", cmd.Args[1])
			return
		}
	}
	i := ss.message(cmd.Args[0])
	if i < 0 {
		return
	}
	d := ss.drop
	raw, err := d.store.Fetch(d.addr, mailstore.Inbox, d.msgs[i].UID)
	if errors.Is(err, mailstore.ErrNoSuchMessage) {
		ss.send("-ERR Message %d was removed by another client (IMAP) during this session.", i+1)
		return
	}
	if err != nil {
		ss.srv.logf("pop3server: fetching %s's message %d: %v", d.addr, d.msgs[i].UID, err)
		ss.send("-ERR [SYS/TEMP] The mail store failed; try again later.")
		return
	}
	if lines >= 0 {
		raw = top(raw, lines)
		ss.send("+OK Headers and %d lines of message %d follow", lines, i+1)
	} else {
		ss.send("+OK %d octets", len(raw))
	}
	pop3.WriteMultiline(ss.w, raw)
	if lines < 0 {
		// Downloaded counts as read, for IMAP clients of the same mailbox.
		d.store.StoreFlags(d.addr, mailstore.Inbox, []uint32{d.msgs[i].UID}, mailstore.FlagsAdd, []string{mailstore.FlagSeen})
	}
}

// top returns raw's headers, the blank line and the first n lines of its body.
func top(raw []byte, n int) []byte {
	end := 0
	for {
		i := bytes.IndexByte(raw[end:], '\n')
		if i < 0 {
			return raw // headers only
		}
		line := raw[end : end+i+1]
		end += i + 1
		if len(line) <= 2 && len(bytes.TrimRight(line, "\r\n")) == 0 {
			break
		}
	}
	for ; n > 0 && end < len(raw); n-- {
		i := bytes.IndexByte(raw[end:], '\n')
		if i < 0 {
			return raw
		}
		end += i + 1
	}
	return raw[:end]
}

// quit ends the session; after a login it enters the UPDATE state and expunges
// the marked messages (RFC 1939 §6).
func (ss *session) quit() bool {
	d := ss.drop
	if d == nil {
		ss.send("+OK Goodbye.")
		return false
	}
	var uids []uint32
	for i, m := range d.msgs {
		if d.deleted[i] {
			uids = append(uids, m.UID)
		}
	}
	if len(uids) > 0 {
		if err := d.store.Expunge(d.addr, mailstore.Inbox, uids); err != nil {
			ss.srv.logf("pop3server: expunging %s's messages: %v", d.addr, err)
			ss.send("-ERR [SYS/TEMP] Some deleted messages were not removed.")
			return false
		}
	}
	n, _ := d.stat()
	// The UPDATE state is over: the maildrop is free before the client hears
	// so, and may log in again at once.
	ss.srv.unlock(d.addr, ss)
	ss.drop = nil
	ss.send("+OK Goodbye: %s deleted, %d left.", plural(len(uids), "message"), n)
	return false
}

// plural is "1 message", "2 messages".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
