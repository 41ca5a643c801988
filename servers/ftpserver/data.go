package ftpserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/ftp"
	"github.com/protocollab/protolab/servers/internal/bounded"
)

// transfer is one data transfer under way.
type transfer struct {
	label string // the command with its argument: "RETR logo.png"
	done  chan struct{}
	n     atomic.Int64 // bytes moved so far

	mu      sync.Mutex
	data    net.Conn     // once open
	ln      net.Listener // while waiting in passive mode
	aborted bool
}

// abort stops the transfer: its data connection (or the wait for one) is closed.
func (x *transfer) abort() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.aborted = true
	if x.data != nil {
		lab.Abort(x.data)
	}
	if x.ln != nil {
		x.ln.Close()
	}
}

func (x *transfer) wasAborted() bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.aborted
}

// closeDataMode forgets PASV's listener or PORT's address.
func (ss *session) closeDataMode() {
	ss.mu.Lock()
	if ss.pasv != nil {
		ss.pasv.Close()
		ss.pasv = nil
	}
	ss.mu.Unlock()
	ss.active = netip.AddrPort{}
}

// listenPassive opens the listener of PASV or EPSV at the address the client
// reached, on a port in the configured range.
func (ss *session) listenPassive() (net.Listener, error) {
	ss.closeDataMode()
	ip := ss.localIP
	lo, hi := ss.srv.PassivePortMin, ss.srv.PassivePortMax
	if lo <= 0 || hi <= 0 || hi < lo {
		lo, hi = 0, 0
	}
	var err error
	for port := lo; port <= hi; port++ {
		var l net.Listener
		l, err = net.Listen("tcp", netip.AddrPortFrom(ip, uint16(port)).String())
		if err == nil {
			ss.mu.Lock()
			ss.pasv = l
			ss.mu.Unlock()
			return l, nil
		}
	}
	return nil, err
}

func (ss *session) cmdPASV(string) bool {
	if ss.epsvAll {
		ss.reply(503, "After EPSV ALL only EPSV may set up data connections.")
		return true
	}
	if !ss.localIP.Is4() {
		ss.reply(522, "PASV carries only IPv4 addresses; this connection is IPv6: use EPSV.")
		return true
	}
	l, err := ss.listenPassive()
	if err != nil {
		ss.reply(425, "Cannot open a passive port: %v.", err)
		return true
	}
	ap, _ := netip.ParseAddrPort(l.Addr().String())
	hp, _ := ftp.FormatHostPort(netip.AddrPortFrom(ss.localIP, ap.Port()))
	ss.reply(227, "Entering Passive Mode (%s).", hp)
	return true
}

func (ss *session) cmdEPSV(arg string) bool {
	switch {
	case arg == "":
	case strings.EqualFold(arg, "ALL"):
		ss.epsvAll = true
		ss.reply(200, "EPSV ALL okay: only EPSV from now on.")
		return true
	case arg == strconv.Itoa(ss.netProto()):
	default:
		ss.reply(522, "Network protocol not supported, use (%d)", ss.netProto())
		return true
	}
	l, err := ss.listenPassive()
	if err != nil {
		ss.reply(425, "Cannot open a passive port: %v.", err)
		return true
	}
	ap, _ := netip.ParseAddrPort(l.Addr().String())
	ss.reply(229, "Entering Extended Passive Mode (|||%d|)", ap.Port())
	return true
}

// netProto is the control connection's RFC 2428 network protocol: 1 or 2.
func (ss *session) netProto() int {
	if ss.clientIP.Is4() {
		return ftp.NetIPv4
	}
	return ftp.NetIPv6
}

func (ss *session) cmdPORT(arg string) bool {
	if ss.epsvAll {
		ss.reply(503, "After EPSV ALL only EPSV may set up data connections.")
		return true
	}
	ap, err := ftp.ParseHostPort(arg)
	if err != nil {
		ss.reply(501, "PORT needs h1,h2,h3,h4,p1,p2: %v.", trimPrefix(err))
		return true
	}
	ss.setActive("PORT", arg, ap)
	return true
}

func (ss *session) cmdEPRT(arg string) bool {
	if ss.epsvAll {
		ss.reply(503, "After EPSV ALL only EPSV may set up data connections.")
		return true
	}
	proto, ap, err := ftp.ParseEPRT(arg)
	switch {
	case err != nil && proto != 0 && proto != ss.netProto():
		ss.reply(522, "Network protocol not supported, use (%d)", ss.netProto())
		return true
	case err != nil:
		ss.reply(501, "EPRT needs |1|address|port| or |2|address|port|: %v.", trimPrefix(err))
		return true
	case proto != ss.netProto():
		ss.reply(522, "Network protocol not supported, use (%d)", ss.netProto())
		return true
	}
	ss.setActive("EPRT", arg, ap)
	return true
}

// setActive accepts an active-mode address only if it is the client's own and
// not a privileged port (RFC 2577 §3, no FTP bounce).
func (ss *session) setActive(verb, arg string, ap netip.AddrPort) {
	if ap.Addr().Unmap() != ss.clientIP {
		ss.srv.logf("ftpserver: %s: refused %s %s: active mode connects only to the client's own address (FTP bounce)", ss.clientIP, verb, ap)
		ss.reply(504, "%s %s refused: active mode connects only to your own address %s (no FTP bounce, RFC 2577).", verb, ap, ss.clientIP)
		return
	}
	if ap.Port() < 1024 {
		ss.srv.logf("ftpserver: %s: refused %s %s: privileged port", ss.clientIP, verb, ap)
		ss.reply(504, "%s %s refused: ports below 1024 belong to system services (RFC 2577).", verb, ap)
		return
	}
	ss.closeDataMode()
	ss.active = ap
	ss.reply(200, "%s okay: the server will connect to %s for the next transfer.", verb, ap)
}

// start runs a transfer on its own goroutine: it opens the data connection, calls
// move with it, and sends the final reply: 226 with move's text, or 425 or 426.
// The 150 has been sent. abandon, if not nil, is called instead of move when no
// data connection opens, to release what move would have.
func (ss *session) start(label string, move func(c net.Conn, x *transfer) (string, error), abandon func()) {
	x := &transfer{label: label, done: make(chan struct{})}
	ss.mu.Lock()
	x.ln, ss.pasv = ss.pasv, nil
	ss.mu.Unlock()
	active := ss.active
	ss.active = netip.AddrPort{}
	ss.xmu.Lock()
	ss.xfer = x
	ss.xmu.Unlock()
	go func() {
		defer func() {
			ss.xmu.Lock()
			ss.xfer = nil
			ss.xmu.Unlock()
			close(x.done)
		}()
		c, err := ss.openData(x, active)
		if err != nil {
			if abandon != nil {
				abandon()
			}
			if x.wasAborted() {
				ss.reply(426, "Transfer aborted before the data connection opened.")
			} else {
				ss.srv.logf("ftpserver: %s: %s: data connection: %v", ss.clientIP, label, err)
				ss.reply(425, "Cannot open the data connection: %v.", err)
			}
			return
		}
		ok, err := move(c, x)
		switch {
		case x.wasAborted():
			c.Close()
			ss.reply(426, "Transfer aborted: the data connection was closed; %d bytes were moved.", x.n.Load())
		case errors.Is(err, bounded.ErrTooLong):
			lab.Abort(c)
			ss.srv.logf("ftpserver: %s: %s: %v", ss.clientIP, label, err)
			ss.reply(552, "Exceeded storage allocation: a file may grow to %d bytes at most; nothing was kept.", ss.srv.maxUpload())
		case err != nil:
			lab.Abort(c)
			ss.srv.logf("ftpserver: %s: %s: %v", ss.clientIP, label, err)
			ss.reply(426, "Transfer failed: %v.", err)
		default:
			err := c.Close()
			if err != nil {
				ss.reply(426, "Transfer failed while closing: %v.", err)
				return
			}
			ss.reply(226, "%s", ok)
		}
	}()
}

// openData opens the data connection: accepts the client's (passive) or connects
// to it (active), taps it with DataTap under the control connection, and puts TLS
// on it after PROT P.
func (ss *session) openData(x *transfer, active netip.AddrPort) (net.Conn, error) {
	timeout := ss.srv.dataTimeout()
	var c net.Conn
	switch {
	case x.ln != nil:
		defer x.ln.Close()
		if tl, ok := x.ln.(*net.TCPListener); ok {
			tl.SetDeadline(time.Now().Add(timeout))
		}
		for {
			raw, err := x.ln.Accept()
			if err != nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					return nil, fmt.Errorf("no connection to the passive port within %v", timeout)
				}
				return nil, err
			}
			if ap, err := netip.ParseAddrPort(raw.RemoteAddr().String()); err != nil || ap.Addr().Unmap() != ss.clientIP {
				ss.srv.logf("ftpserver: %s: %s: refused a data connection from %s, not the client", ss.clientIP, x.label, raw.RemoteAddr())
				raw.Close()
				continue
			}
			c = ss.srv.DataTap.Conn(raw, lab.SideServer)
			break
		}
	case active.IsValid():
		d := net.Dialer{Timeout: timeout, LocalAddr: &net.TCPAddr{IP: ss.localIP.AsSlice()}}
		ctx, cancel := context.WithCancel(context.Background())
		x.mu.Lock()
		aborted := x.aborted
		x.mu.Unlock()
		if aborted {
			cancel()
		}
		raw, err := d.DialContext(ctx, "tcp", active.String())
		cancel()
		if err != nil {
			return nil, err
		}
		// The FTP server dials: on this TCP connection it is the client.
		c = ss.srv.DataTap.Conn(raw, lab.SideClient)
	default:
		return nil, errors.New("no data port: send PASV, EPSV, PORT or EPRT first")
	}
	if conv, parent := lab.ConnConversation(c), lab.ConnConversation(ss.ctrl); conv != nil && parent != nil {
		// "RETR logo.png · passive": the inspector draws a data connection from
		// whoever dialled it, and the mode says who that was.
		mode, dialler := "passive", lab.SideClient
		if x.ln == nil {
			mode, dialler = "active", lab.SideServer
		}
		conv.SetLink(lab.Link{Kind: lab.LinkData, Parent: parent.ID(), Dialler: dialler, Mode: mode, Label: x.label})
	}
	x.mu.Lock()
	x.data = c
	aborted := x.aborted
	x.mu.Unlock()
	if aborted {
		c.Close()
		return nil, errors.New("aborted")
	}
	if ss.prot {
		// RFC 4217 §10.2: the FTP client is the TLS client, whoever connected.
		tc := tls.Server(c, ss.srv.tlsConfig())
		tc.SetDeadline(time.Now().Add(timeout))
		if err := tc.Handshake(); err != nil {
			c.Close()
			return nil, fmt.Errorf("TLS on the data connection: %w", err)
		}
		tc.SetDeadline(time.Time{})
		x.mu.Lock()
		x.data = tc
		x.mu.Unlock()
		return tc, nil
	}
	return c, nil
}

// ready checks that a transfer can start: a data port is set up.
func (ss *session) ready() bool {
	ss.mu.Lock()
	ok := ss.pasv != nil
	ss.mu.Unlock()
	if !ok && !ss.active.IsValid() {
		ss.reply(425, "Use PASV, EPSV, PORT or EPRT first: no data connection is set up.")
		return false
	}
	return true
}

func trimPrefix(err error) string {
	s := err.Error()
	if len(s) > 5 && s[:5] == "ftp: " {
		return s[5:]
	}
	return s
}
