package ftpclient

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/protocollab/protolab/lab"
)

// transfer runs one command that moves bytes over a data connection (LIST, MLSD,
// RETR, STOR): it opens the data connection in the current mode, sends the
// command, hands the connection to move with the server's preliminary reply,
// closes it, and reads the final reply.
func (c *Client) transfer(verb, arg string, move func(data net.Conn, pre reply) error) error {
	label := verb
	if arg != "" {
		label += " " + arg
	}
	var (
		data net.Conn
		pre  reply
		err  error
	)
	if c.mode == Active {
		data, pre, err = c.active(verb, arg, label)
	} else {
		data, pre, err = c.passive(verb, arg, label)
	}
	if err != nil {
		return err
	}
	if pre.Code/100 == 2 { // done without a data connection (an empty listing on some servers)
		c.forget(data)
		return nil
	}
	if c.tlsConf != nil {
		tc := tls.Client(data, c.tlsConf)
		data.SetDeadline(time.Now().Add(c.timeout))
		if err := tc.Handshake(); err != nil {
			c.forget(data)
			c.readReply() // the server gives up on the transfer too
			return fmt.Errorf("ftpclient: %s: TLS handshake on the data connection: %w", label, err)
		}
		data.SetDeadline(time.Time{})
		data = tc
		c.track(data)
	}
	moveErr := move(data, pre)
	c.forget(data)
	if moveErr != nil && c.isClosed() {
		return ErrClosed
	}
	r, err := c.readReply()
	switch {
	case moveErr != nil:
		return moveErr
	case err != nil:
		return err
	case r.Code/100 != 2:
		return replyErr(r, verb, arg)
	}
	return nil
}

// track makes data the connection Close interrupts.
func (c *Client) track(data net.Conn) {
	c.mu.Lock()
	c.data = data
	closed := c.closed
	c.mu.Unlock()
	if closed {
		data.Close()
	}
}

// forget closes the data connection and stops tracking it.
func (c *Client) forget(data net.Conn) {
	c.mu.Lock()
	c.data = nil
	c.mu.Unlock()
	data.Close()
}

// link puts a data connection's conversation under the control connection's.
func (c *Client) link(data net.Conn, label string) {
	if conv := lab.ConnConversation(data); conv != nil && c.ctrlID != 0 {
		// "RETR logo.png · active", as the lab's server labels it too. Passive:
		// the client dialled the server's data port; active: the server dialled ours.
		dialler := lab.SideClient
		if c.mode == Active {
			dialler = lab.SideServer
		}
		conv.SetLink(lab.Link{Kind: lab.LinkData, Parent: c.ctrlID, Dialler: dialler, Mode: c.mode.String(), Label: label})
	}
}

// serverIP is the address the control connection goes to: passive data
// connections go there whatever address PASV names (a server behind NAT may name
// its private one), and active ones must come from there.
func (c *Client) serverIP() net.IP {
	if a, ok := c.raw.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP
	}
	return nil
}

func (c *Client) localIP() net.IP {
	if a, ok := c.raw.LocalAddr().(*net.TCPAddr); ok {
		return a.IP
	}
	return nil
}

// passive asks the server for a port (EPSV, else PASV), dials it, then sends the
// command and reads its preliminary reply.
func (c *Client) passive(verb, arg, label string) (net.Conn, reply, error) {
	ip := c.serverIP()
	if ip == nil {
		return nil, reply{}, errors.New("ftpclient: the control connection has no IP address to open a data connection to")
	}
	port, err := c.pasvPort(ip.To4() == nil)
	if err != nil {
		return nil, reply{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	addr := net.JoinHostPort(ip.String(), strconv.Itoa(port))
	data, err := c.opts.DataTap.Dial(ctx, "tcp", addr)
	if err != nil {
		return nil, reply{}, fmt.Errorf("ftpclient: %s: cannot open the data connection to %s that the server offered: %w", label, addr, err)
	}
	c.link(data, label)
	c.track(data)
	if err := c.send(verb, arg); err != nil {
		c.forget(data)
		return nil, reply{}, err
	}
	r, err := c.readReply()
	if err == nil && r.Code/100 != 1 && r.Code/100 != 2 {
		err = replyErr(r, verb, arg)
	}
	if err != nil {
		c.forget(data)
		return nil, reply{}, err
	}
	return data, r, nil
}

// pasvPort asks for a passive port: EPSV (RFC 2428) first, PASV when the server
// does not know EPSV (IPv4 only: PASV has no room for an IPv6 address).
func (c *Client) pasvPort(ipv6 bool) (int, error) {
	if !c.noEPSV || ipv6 {
		r, err := c.cmd(0, "EPSV", "")
		if err != nil {
			return 0, err
		}
		if r.Code == 229 {
			return parseEPSV(r.Text)
		}
		if ipv6 || (r.Code != 500 && r.Code != 502) {
			return 0, replyErr(r, "EPSV", "")
		}
		c.noEPSV = true // ask with PASV from now on
	}
	r, err := c.cmd(227, "PASV", "")
	if err != nil {
		return 0, err
	}
	_, port, err := parsePASV(r.Text)
	return port, err
}

// parseEPSV reads the port of a 229 reply: "Entering Extended Passive Mode
// (|||6446|)" (RFC 2428 §3; the delimiter may be another character).
func parseEPSV(text string) (int, error) {
	text = firstLine(text)
	i := strings.IndexByte(text, '(')
	j := strings.LastIndexByte(text, ')')
	if i < 0 || j < i+6 {
		return 0, fmt.Errorf("ftpclient: the server's EPSV reply %q has no (|||port|)", text)
	}
	s := text[i+1 : j]
	d := s[0]
	if d < 33 || d > 126 || s[1] != d || s[2] != d || s[len(s)-1] != d {
		return 0, fmt.Errorf("ftpclient: the server's EPSV reply %q is not (|||port|)", text)
	}
	port, err := strconv.Atoi(s[3 : len(s)-1])
	if err != nil || port < 1 || port > 65535 {
		return 0, fmt.Errorf("ftpclient: the server's EPSV reply %q names no port", text)
	}
	return port, nil
}

// parsePASV reads a 227 reply: "Entering Passive Mode (h1,h2,h3,h4,p1,p2)". The
// numbers are found by their first digit, as RFC 1123 §4.1.2.6 advises.
func parsePASV(text string) (net.IP, int, error) {
	text = firstLine(text)
	i := strings.IndexAny(text, "0123456789")
	if i < 0 {
		return nil, 0, fmt.Errorf("ftpclient: the server's PASV reply %q names no address", text)
	}
	j := i
	for j < len(text) && (text[j] == ',' || text[j] >= '0' && text[j] <= '9') {
		j++
	}
	parts := strings.Split(text[i:j], ",")
	if len(parts) != 6 {
		return nil, 0, fmt.Errorf("ftpclient: the server's PASV reply %q is not h1,h2,h3,h4,p1,p2", text)
	}
	var n [6]byte
	for k, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || v > 255 || len(p) > 3 {
			return nil, 0, fmt.Errorf("ftpclient: the server's PASV reply %q has %q where a number from 0 to 255 belongs", text, p)
		}
		n[k] = byte(v)
	}
	port := int(n[4])<<8 | int(n[5])
	if port == 0 {
		return nil, 0, fmt.Errorf("ftpclient: the server's PASV reply %q names port 0", text)
	}
	return net.IPv4(n[0], n[1], n[2], n[3]), port, nil
}

// active listens on the control connection's local address, tells the server
// where (PORT, or EPRT for IPv6), sends the command and waits for the server to
// connect. Only a connection from the server's own address is taken.
func (c *Client) active(verb, arg, label string) (net.Conn, reply, error) {
	ip, want := c.localIP(), c.serverIP()
	if ip == nil || want == nil {
		return nil, reply{}, errors.New("ftpclient: the control connection has no IP address to listen on")
	}
	ln, err := net.ListenTCP("tcp", &net.TCPAddr{IP: ip})
	if err != nil {
		return nil, reply{}, fmt.Errorf("ftpclient: active mode cannot listen on %s: %w", ip, err)
	}
	c.mu.Lock()
	c.ln = ln
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.ln = nil
		c.mu.Unlock()
		ln.Close()
	}()
	if c.isClosed() {
		return nil, reply{}, ErrClosed
	}
	pv, pa := portCommand(ln.Addr().(*net.TCPAddr))
	if _, err := c.cmd(200, pv, pa); err != nil {
		return nil, reply{}, err
	}
	if err := c.send(verb, arg); err != nil {
		return nil, reply{}, err
	}
	r, err := c.readReply()
	if err != nil {
		return nil, reply{}, err
	}
	switch r.Code / 100 {
	case 1:
	case 2:
		return &nopConn{}, r, nil
	default:
		return nil, reply{}, replyErr(r, verb, arg)
	}
	ln.SetDeadline(time.Now().Add(c.timeout))
	for {
		nc, err := ln.Accept()
		if err != nil {
			if c.isClosed() {
				return nil, reply{}, ErrClosed
			}
			c.readReply() // the server's 425: it could not connect
			if isTimeout(err) {
				return nil, reply{}, fmt.Errorf("ftpclient: %s: the server did not connect to %s within %v (active mode: is a firewall in the way?)", label, ln.Addr(), c.timeout)
			}
			return nil, reply{}, fmt.Errorf("ftpclient: %s: waiting for the server's data connection: %w", label, err)
		}
		from, _ := nc.RemoteAddr().(*net.TCPAddr)
		if from == nil || !from.IP.Equal(want) {
			// Someone else found the port first: refuse, keep waiting for the server.
			lab.Abort(nc)
			continue
		}
		// The server dialed us: on this connection the server is the TCP client
		// and this side the TCP server.
		data := c.opts.DataTap.Conn(nc, lab.SideServer)
		c.link(data, label)
		c.track(data)
		return data, r, nil
	}
}

// portCommand is "PORT h1,h2,h3,h4,p1,p2" for IPv4 (RFC 959 §4.1.2), "EPRT
// |2|addr|port|" for IPv6 (RFC 2428 §2).
func portCommand(a *net.TCPAddr) (verb, arg string) {
	if ip4 := a.IP.To4(); ip4 != nil {
		return "PORT", fmt.Sprintf("%d,%d,%d,%d,%d,%d", ip4[0], ip4[1], ip4[2], ip4[3], a.Port>>8, a.Port&0xff)
	}
	return "EPRT", fmt.Sprintf("|2|%s|%d|", a.IP, a.Port)
}

// nopConn stands for a data connection that was never needed.
type nopConn struct{ net.Conn }

func (*nopConn) Close() error { return nil }
