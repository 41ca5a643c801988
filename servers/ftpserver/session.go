package ftpserver

import (
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/protocollab/protolab/internal/safepath"
	"github.com/protocollab/protolab/protocols/ftp"
	"github.com/protocollab/protolab/servers/internal/bounded"
)

// session serves one control connection. Its loop reads commands one at a time;
// a transfer runs on a goroutine of its own so that ABOR and STAT can be answered
// while it runs, and any other command waits until it is done, which keeps the
// replies in order.
type session struct {
	srv  *Server
	fs   *jail
	ctrl net.Conn // the tapped connection (its conversation is the data connections' parent)

	mu   sync.Mutex // guards conn and w, and serializes replies
	conn net.Conn   // ctrl, or the TLS connection over it after AUTH TLS
	r    *bounded.Lines

	clientIP netip.Addr // the control connection's peer: active mode connects only here
	localIP  netip.Addr // the address the client reached: PASV listens here

	acct       *Account // the logged-in account, nil before
	user       string   // the name given by USER, waiting for PASS
	cwd        string
	binary     bool  // TYPE I
	rest       int64 // REST's offset for the next RETR or STOR
	renameFrom vpath // RNFR's path, waiting for RNTO
	renaming   bool  // RNFR was accepted
	pasv       net.Listener
	active     netip.AddrPort // PORT or EPRT's address, when valid
	epsvAll    bool
	pbsz       bool
	prot       bool    // PROT P: TLS on data connections
	mlstOff    factSet // the MLST facts OPTS MLST turned off

	xmu  sync.Mutex
	xfer *transfer // the transfer under way, nil when none
}

func newSession(srv *Server, c net.Conn, fsys *jail) *session {
	ss := &session{srv: srv, fs: fsys, ctrl: c, conn: c, cwd: "/"}
	ss.r = bounded.NewLines(c, ftp.MaxLine)
	if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
		ss.clientIP = ap.Addr().Unmap()
	}
	if ap, err := netip.ParseAddrPort(c.LocalAddr().String()); err == nil {
		ss.localIP = ap.Addr().Unmap()
	}
	return ss
}

// reply sends one reply; text with newlines is a multi-line reply.
func (ss *session) reply(code int, format string, args ...any) {
	text := format
	if len(args) > 0 {
		text = fmt.Sprintf(format, args...)
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.conn.SetWriteDeadline(time.Now().Add(ss.srv.dataTimeout()))
	ss.conn.Write(ftp.FormatReply(code, text))
}

// kill closes the control connection and any data connection at once.
func (ss *session) kill() {
	ss.ctrl.Close()
	if x := ss.current(); x != nil {
		x.abort()
	}
	ss.mu.Lock()
	if ss.pasv != nil {
		ss.pasv.Close()
	}
	ss.mu.Unlock()
}

// wake interrupts a session waiting for a command, so that it sees the server
// shutting down.
func (ss *session) wake() {
	ss.mu.Lock()
	ss.conn.SetReadDeadline(time.Now())
	ss.mu.Unlock()
}

func (ss *session) current() *transfer {
	ss.xmu.Lock()
	defer ss.xmu.Unlock()
	return ss.xfer
}

// waitTransfer waits for the transfer under way, if any.
func (ss *session) waitTransfer() {
	if x := ss.current(); x != nil {
		<-x.done
	}
}

func (ss *session) serve() {
	defer func() {
		ss.waitTransfer()
		ss.closeDataMode()
		ss.ctrl.Close()
	}()
	banner := ss.srv.Banner
	if banner == "" {
		banner = "Protocol Lab FTP server ready"
	}
	ss.reply(220, "%s", banner)
	for {
		ss.mu.Lock()
		conn := ss.conn
		conn.SetReadDeadline(time.Now().Add(ss.srv.idleTimeout()))
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
			case errors.As(err, &ne) && ne.Timeout() && ss.current() == nil:
				ss.reply(421, "Idle for %v: closing the control connection.", ss.srv.idleTimeout())
			case errors.Is(err, bounded.ErrTooLong):
				// The rest of the line is never read: it would only fill memory.
				ss.srv.logf("ftpserver: %s sent a command line longer than %d bytes; disconnected", ss.clientIP, ftp.MaxLine)
				ss.reply(500, "Command line too long (more than %d bytes): closing the control connection.", ftp.MaxLine)
				bounded.Linger(conn)
			case errors.As(err, &ne) && ne.Timeout():
				continue // a long transfer: the control connection may be quiet meanwhile
			}
			return
		}
		cmd, err := ftp.ParseCommand(line)
		if errors.Is(err, ftp.ErrEmpty) {
			continue
		}
		if err != nil {
			ss.reply(500, "Syntax error: %v.", strings.TrimPrefix(err.Error(), "ftp: "))
			continue
		}
		if !ss.command(cmd) {
			return
		}
	}
}

// shutdown ends the session for a server shutting down, after its transfer.
func (ss *session) shutdown() {
	ss.waitTransfer()
	ss.reply(421, "The server is shutting down: closing the control connection.")
}

// readLine reads one command line, bounded by ftp.MaxLine: a longer line is a
// bounded.TooLongError, with nothing past the bound read. A last line without
// CRLF is returned as it is.
func (ss *session) readLine() ([]byte, error) { return ss.r.ReadLine() }

// handler serves one command; it returns false to end the session.
type handler func(ss *session, arg string) bool

// handlers are the commands by verb. need says whether the command needs a login.
var handlers map[string]struct {
	h     handler
	login bool
}

func init() {
	handlers = map[string]struct {
		h     handler
		login bool
	}{
		"USER": {(*session).cmdUSER, false},
		"PASS": {(*session).cmdPASS, false},
		"QUIT": {(*session).cmdQUIT, false},
		"SYST": {(*session).cmdSYST, false},
		"FEAT": {(*session).cmdFEAT, false},
		"OPTS": {(*session).cmdOPTS, false},
		"HELP": {(*session).cmdHELP, false},
		"NOOP": {(*session).cmdNOOP, false},
		"AUTH": {(*session).cmdAUTH, false},
		"PBSZ": {(*session).cmdPBSZ, false},
		"PROT": {(*session).cmdPROT, false},
		"ABOR": {(*session).cmdABOR, false},
		"STAT": {(*session).cmdSTAT, false},
		"PWD":  {(*session).cmdPWD, true},
		"XPWD": {(*session).cmdPWD, true},
		"CWD":  {(*session).cmdCWD, true},
		"XCWD": {(*session).cmdCWD, true},
		"CDUP": {(*session).cmdCDUP, true},
		"XCUP": {(*session).cmdCDUP, true},
		"TYPE": {(*session).cmdTYPE, true},
		"MODE": {(*session).cmdMODE, true},
		"STRU": {(*session).cmdSTRU, true},
		"PASV": {(*session).cmdPASV, true},
		"EPSV": {(*session).cmdEPSV, true},
		"PORT": {(*session).cmdPORT, true},
		"EPRT": {(*session).cmdEPRT, true},
		"LIST": {(*session).cmdLIST, true},
		"NLST": {(*session).cmdNLST, true},
		"MLSD": {(*session).cmdMLSD, true},
		"MLST": {(*session).cmdMLST, true},
		"RETR": {(*session).cmdRETR, true},
		"STOR": {(*session).cmdSTOR, true},
		"APPE": {(*session).cmdAPPE, true},
		"REST": {(*session).cmdREST, true},
		"SIZE": {(*session).cmdSIZE, true},
		"MDTM": {(*session).cmdMDTM, true},
		"DELE": {(*session).cmdDELE, true},
		"MKD":  {(*session).cmdMKD, true},
		"XMKD": {(*session).cmdMKD, true},
		"RMD":  {(*session).cmdRMD, true},
		"XRMD": {(*session).cmdRMD, true},
		"RNFR": {(*session).cmdRNFR, true},
		"RNTO": {(*session).cmdRNTO, true},
		"ALLO": {(*session).cmdALLO, true},
	}
}

// command serves cmd; it returns false to end the session.
func (ss *session) command(cmd ftp.Command) bool {
	switch cmd.Verb {
	case "ABOR", "STAT":
		// answered during a transfer
	default:
		ss.waitTransfer()
	}
	if ss.renaming && cmd.Verb != "RNTO" {
		ss.renaming = false
	}
	switch cmd.Verb {
	case "REST", "RETR", "STOR", "APPE", "PASV", "EPSV", "PORT", "EPRT", "TYPE", "NOOP":
		// REST's offset waits for the transfer; setting up its data port may come between.
	default:
		ss.rest = 0
	}
	h, ok := handlers[cmd.Verb]
	switch {
	case !ok:
		ss.reply(502, "%s is not implemented.", cmd.Verb)
		return true
	case h.login && ss.acct == nil:
		ss.reply(530, "Please log in with USER and PASS first.")
		return true
	}
	return h.h(ss, cmd.Arg)
}

func (ss *session) cmdUSER(arg string) bool {
	if arg == "" {
		ss.reply(501, "USER needs a user name.")
		return true
	}
	ss.acct, ss.user, ss.cwd = nil, arg, "/"
	for _, a := range ss.srv.accounts() {
		if a.Anonymous && strings.EqualFold(a.User, arg) {
			ss.reply(331, "Anonymous login okay: send your e-mail address as the password.")
			return true
		}
	}
	ss.reply(331, "Password required for %s.", arg)
	return true
}

func (ss *session) cmdPASS(arg string) bool {
	if ss.user == "" {
		if ss.acct != nil {
			ss.reply(230, "Already logged in.")
		} else {
			ss.reply(503, "Send USER before PASS.")
		}
		return true
	}
	user := ss.user
	ss.user = ""
	for i, a := range ss.srv.accounts() {
		match := a.Anonymous && strings.EqualFold(a.User, user)
		if !a.Anonymous && a.User == user {
			match = subtle.ConstantTimeCompare([]byte(a.Password), []byte(arg)) == 1
		}
		if match {
			if !a.Anonymous {
				ss.srv.guard.Succeed(ss.ctrl.RemoteAddr())
			}
			ss.acct = &ss.srv.accounts()[i]
			mode := "read-only"
			if a.Write {
				mode = "read-write"
			}
			ss.reply(230, "User %s logged in (%s).", user, mode)
			return true
		}
	}
	ss.srv.logf("ftpserver: %s: failed login as %q", ss.clientIP, user)
	if !ss.srv.guard.FailConn(ss.srv.conns.Done(), ss.ctrl) {
		ss.shutdown() // the server closes: 421 answers the PASS
		return false
	}
	ss.reply(530, "Login incorrect.")
	return true
}

func (ss *session) cmdQUIT(string) bool {
	ss.reply(221, "Goodbye.")
	return false
}

func (ss *session) cmdSYST(string) bool {
	ss.reply(215, "UNIX Type: L8")
	return true
}

func (ss *session) cmdFEAT(string) bool {
	feats := []string{"Features:", " EPRT", " EPSV", " MDTM", " MLST " + ss.mlstOff.names(true, true),
		" PASV", " REST STREAM", " SIZE", " TVFS", " UTF8"}
	if ss.srv.TLS != nil {
		feats = append(feats, " AUTH TLS", " PBSZ", " PROT")
	}
	ss.reply(211, "%s", strings.Join(append(feats, "End"), "\n"))
	return true
}

func (ss *session) cmdOPTS(arg string) bool {
	opt, val, _ := strings.Cut(strings.ToUpper(strings.TrimSpace(arg)), " ")
	switch {
	case opt == "UTF8" && (val == "ON" || val == ""):
		ss.reply(200, "UTF-8 is always on.")
	case opt == "UTF8" && val == "OFF":
		ss.reply(504, "UTF-8 cannot be turned off: path names are UTF-8.")
	case opt == "MLST":
		ss.cmdOPTSMLST(strings.TrimSpace(val))
	default:
		ss.reply(501, "OPTS %s is not known.", opt)
	}
	return true
}

func (ss *session) cmdHELP(string) bool {
	var verbs []string
	for v := range handlers {
		verbs = append(verbs, v)
	}
	sortStrings(verbs)
	var b strings.Builder
	b.WriteString("The following commands are recognized:\n")
	for i, v := range verbs {
		fmt.Fprintf(&b, " %-5s", v)
		if i%8 == 7 {
			b.WriteString("\n")
		}
	}
	if len(verbs)%8 != 0 {
		b.WriteString("\n")
	}
	b.WriteString("Help OK.")
	ss.reply(214, "%s", b.String())
	return true
}

func (ss *session) cmdNOOP(string) bool {
	ss.reply(200, "NOOP okay.")
	return true
}

func (ss *session) cmdALLO(string) bool {
	ss.reply(202, "ALLO is not needed: files grow as they are written.")
	return true
}

func (ss *session) cmdAUTH(arg string) bool {
	if ss.srv.TLS == nil {
		ss.reply(502, "AUTH is not offered: this server has no TLS certificate.")
		return true
	}
	if m := strings.ToUpper(arg); m != "TLS" && m != "TLS-C" && m != "SSL" {
		ss.reply(504, "AUTH %s is not supported: use AUTH TLS.", arg)
		return true
	}
	if _, ok := ss.conn.(*tls.Conn); ok {
		ss.reply(503, "The control connection is already TLS.")
		return true
	}
	ss.reply(234, "AUTH TLS okay: start the TLS handshake.")
	ss.mu.Lock()
	if ss.r.Buffered() > 0 {
		ss.mu.Unlock()
		return false // plaintext after AUTH would be injected into the TLS session
	}
	tc := tls.Server(ss.ctrl, ss.srv.tlsConfig())
	ss.conn = tc
	ss.r.Reset(tc)
	ss.mu.Unlock()
	tc.SetDeadline(time.Now().Add(ss.srv.dataTimeout()))
	if err := tc.Handshake(); err != nil {
		ss.srv.logf("ftpserver: %s: TLS handshake: %v", ss.clientIP, err)
		return false
	}
	tc.SetDeadline(time.Time{})
	return true
}

func (ss *session) cmdPBSZ(arg string) bool {
	if _, ok := ss.conn.(*tls.Conn); !ok {
		ss.reply(503, "PBSZ needs AUTH TLS first.")
		return true
	}
	ss.pbsz = true
	ss.reply(200, "PBSZ=0")
	return true
}

func (ss *session) cmdPROT(arg string) bool {
	if !ss.pbsz {
		ss.reply(503, "PROT needs PBSZ first.")
		return true
	}
	switch strings.ToUpper(arg) {
	case "P":
		ss.prot = true
		ss.reply(200, "PROT P okay: data connections use TLS.")
	case "C":
		ss.prot = false
		ss.reply(200, "PROT C okay: data connections are in the clear.")
	default:
		ss.reply(504, "PROT %s is not supported: use P or C.", arg)
	}
	return true
}

func (ss *session) cmdPWD(string) bool {
	ss.reply(257, "%s is the current directory.", quote(ss.cwd))
	return true
}

// quote is a path in RFC 959's quotes, a quote inside doubled (Appendix II).
func quote(p string) string { return `"` + strings.ReplaceAll(p, `"`, `""`) + `"` }

func (ss *session) cmdCWD(arg string) bool {
	if arg == "" {
		arg = "/"
	}
	p, ok := ss.path("CWD", arg)
	if !ok {
		return true
	}
	fi, err := ss.fs.root.Stat(p.rel)
	if err != nil {
		ss.fail("CWD", p, arg, err)
		return true
	}
	if !fi.IsDir() {
		ss.reply(550, "%s: not a directory.", arg)
		return true
	}
	ss.cwd = p.v
	ss.reply(250, "Directory changed to %s.", quote(p.v))
	return true
}

func (ss *session) cmdCDUP(string) bool { return ss.cmdCWD("..") }

func (ss *session) cmdTYPE(arg string) bool {
	switch t := strings.ToUpper(strings.Join(strings.Fields(arg), " ")); t {
	case "A", "A N":
		ss.binary = false
		ss.reply(200, "Type set to A (ASCII: line endings are CRLF on the wire).")
	case "I", "L 8":
		ss.binary = true
		ss.reply(200, "Type set to I (binary: bytes as they are).")
	default:
		ss.reply(504, "TYPE %s is not supported: use A or I.", arg)
	}
	return true
}

func (ss *session) cmdMODE(arg string) bool {
	if strings.EqualFold(arg, "S") {
		ss.reply(200, "Mode set to S (stream).")
	} else {
		ss.reply(504, "MODE %s is not supported: only S (stream).", arg)
	}
	return true
}

func (ss *session) cmdSTRU(arg string) bool {
	if strings.EqualFold(arg, "F") {
		ss.reply(200, "Structure set to F (file).")
	} else {
		ss.reply(504, "STRU %s is not supported: only F (file).", arg)
	}
	return true
}

// path resolves arg for verb; a path leading outside the root is refused with 550
// and logged, and so is a name Windows treats specially (safepath).
func (ss *session) path(verb, arg string) (vpath, bool) {
	if err := safepath.Path(arg); err != nil {
		ss.refuseName(verb, arg, err)
		return vpath{}, false
	}
	p, err := resolve(ss.cwd, arg)
	if err != nil {
		ss.refuse(verb, arg)
		return vpath{}, false
	}
	return p, true
}

// refuse answers an attempt to leave the root.
func (ss *session) refuse(verb, arg string) {
	ss.srv.logf("ftpserver: %s: refused %s %q: it leads outside the served folder", ss.clientIP, verb, arg)
	ss.reply(550, "%s: refused: the path leads outside the served folder.", arg)
}

// refuseName answers a name safepath refuses: 553 (file name not allowed, RFC
// 959 §4.2) for the commands that give a file its name, 550 for the others.
func (ss *session) refuseName(verb, arg string, err error) {
	code := 550
	switch verb {
	case "STOR", "APPE", "RNTO":
		code = 553
	}
	ss.srv.logf("ftpserver: %s: refused %s %q: %v", ss.clientIP, verb, arg, err)
	ss.reply(code, "%s: refused: %v; the lab refuses names Windows treats specially, on every system.", arg, err)
}

// fail answers a failed file operation on p (the client's arg) with 550 and the reason.
func (ss *session) fail(verb string, p vpath, arg string, err error) {
	switch {
	case escaped(err):
		ss.refuse(verb, arg)
	case errors.Is(err, fs.ErrNotExist):
		ss.reply(550, "%s: no such file or directory.", arg)
	case errors.Is(err, fs.ErrExist):
		ss.reply(550, "%s: already exists.", arg)
	case errors.Is(err, fs.ErrPermission):
		ss.reply(550, "%s: permission denied.", arg)
	default:
		ss.srv.logf("ftpserver: %s: %s %s: %v", ss.clientIP, verb, p.v, err)
		ss.reply(550, "%s: %s.", arg, reason(err))
	}
}

// reason is an error's text without the path the client already knows.
func reason(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err.Error()
	}
	return err.Error()
}

// writable checks that the logged-in account may change files.
func (ss *session) writable() bool {
	if ss.acct != nil && ss.acct.Write {
		return true
	}
	ss.reply(550, "Permission denied: %s is read-only; log in as a user who may write.", ss.acct.User)
	return false
}

func (ss *session) cmdSIZE(arg string) bool {
	p, ok := ss.path("SIZE", arg)
	if !ok {
		return true
	}
	fi, err := ss.fs.root.Stat(p.rel)
	if err != nil {
		ss.fail("SIZE", p, arg, err)
		return true
	}
	if !fi.Mode().IsRegular() {
		ss.reply(550, "%s: not a regular file.", arg)
		return true
	}
	size := fi.Size()
	if !ss.binary {
		f, err := ss.fs.root.Open(p.rel)
		if err != nil {
			ss.fail("SIZE", p, arg, err)
			return true
		}
		cw := &countWriter{}
		_, err = io.Copy(newToCRLF(cw), f)
		f.Close()
		if err != nil {
			ss.fail("SIZE", p, arg, err)
			return true
		}
		size = cw.n
	}
	ss.reply(213, "%d", size)
	return true
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(b []byte) (int, error) { w.n += int64(len(b)); return len(b), nil }

func (ss *session) cmdMDTM(arg string) bool {
	p, ok := ss.path("MDTM", arg)
	if !ok {
		return true
	}
	fi, err := ss.fs.root.Stat(p.rel)
	if err != nil {
		ss.fail("MDTM", p, arg, err)
		return true
	}
	ss.reply(213, "%s", fi.ModTime().UTC().Format("20060102150405"))
	return true
}

func (ss *session) cmdDELE(arg string) bool {
	p, ok := ss.path("DELE", arg)
	if !ok || !ss.writable() {
		return true
	}
	fi, err := ss.fs.root.Lstat(p.rel)
	if err == nil && fi.IsDir() {
		ss.reply(550, "%s: is a directory: use RMD.", arg)
		return true
	}
	if err == nil {
		err = ss.fs.root.Remove(p.rel)
	}
	if err != nil {
		ss.fail("DELE", p, arg, err)
		return true
	}
	ss.reply(250, "%s deleted.", arg)
	return true
}

func (ss *session) cmdMKD(arg string) bool {
	p, ok := ss.path("MKD", arg)
	if !ok || !ss.writable() {
		return true
	}
	if p.rel == "." {
		ss.fail("MKD", p, arg, fs.ErrExist)
		return true
	}
	if err := ss.fs.root.Mkdir(p.rel, 0o755); err != nil {
		ss.fail("MKD", p, arg, err)
		return true
	}
	ss.reply(257, "%s created.", quote(p.v))
	return true
}

func (ss *session) cmdRMD(arg string) bool {
	p, ok := ss.path("RMD", arg)
	if !ok || !ss.writable() {
		return true
	}
	if p.rel == "." {
		ss.reply(550, "%s: the root folder cannot be removed.", arg)
		return true
	}
	fi, err := ss.fs.root.Lstat(p.rel)
	if err == nil && !fi.IsDir() {
		ss.reply(550, "%s: not a directory: use DELE.", arg)
		return true
	}
	if err == nil {
		err = ss.fs.root.Remove(p.rel)
	}
	if err != nil {
		ss.fail("RMD", p, arg, err)
		return true
	}
	ss.reply(250, "%s removed.", arg)
	return true
}

func (ss *session) cmdRNFR(arg string) bool {
	p, ok := ss.path("RNFR", arg)
	if !ok || !ss.writable() {
		return true
	}
	if p.rel == "." {
		ss.reply(550, "%s: the root folder cannot be renamed.", arg)
		return true
	}
	if _, err := ss.fs.root.Lstat(p.rel); err != nil {
		ss.fail("RNFR", p, arg, err)
		return true
	}
	ss.renameFrom, ss.renaming = p, true
	ss.reply(350, "%s exists: send RNTO with the new name.", arg)
	return true
}

func (ss *session) cmdRNTO(arg string) bool {
	if !ss.renaming {
		ss.reply(503, "Send RNFR before RNTO.")
		return true
	}
	ss.renaming = false
	p, ok := ss.path("RNTO", arg)
	if !ok || !ss.writable() {
		return true
	}
	if p.rel == "." {
		ss.reply(553, "%s: not a name a file can take.", arg)
		return true
	}
	if err := ss.fs.root.Rename(ss.renameFrom.rel, p.rel); err != nil {
		ss.fail("RNTO", p, arg, err)
		return true
	}
	ss.reply(250, "Renamed %s to %s.", quote(ss.renameFrom.v), quote(p.v))
	return true
}

func (ss *session) cmdREST(arg string) bool {
	var n int64
	if _, err := fmt.Sscanf(arg, "%d", &n); err != nil || n < 0 || fmt.Sprint(n) != arg {
		ss.reply(501, "REST needs a byte offset (0 or more).")
		return true
	}
	ss.rest = n
	ss.reply(350, "Restarting at %d: send RETR or STOR.", n)
	return true
}

func (ss *session) cmdSTAT(arg string) bool {
	if x := ss.current(); x != nil && arg == "" {
		ss.reply(213, "Status: %s, %d bytes so far.", x.label, x.n.Load())
		return true
	}
	if ss.acct == nil && arg != "" {
		ss.reply(530, "Please log in with USER and PASS first.")
		return true
	}
	if arg == "" {
		who := "not logged in"
		if ss.acct != nil {
			who = "logged in as " + ss.acct.User
		}
		typ := "ASCII"
		if ss.binary {
			typ = "BINARY"
		}
		ss.reply(211, "Protocol Lab FTP server status:\n Connected from %s\n %s\n TYPE: %s, MODE: S, STRU: F\n Working directory %s\nEnd of status", ss.clientIP, who, typ, quote(ss.cwd))
		return true
	}
	p, lines, ok := ss.listing("STAT", arg, formatLIST)
	if !ok {
		return true
	}
	ss.reply(213, "Status of %s:\n%sEnd of status", p.v, strings.Join(lines, ""))
	return true
}
