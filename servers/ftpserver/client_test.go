package ftpserver_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/protocols/ftp"
)

// ctrl is a bare control connection for tests that need exact commands.
type ctrl struct {
	t  testing.TB
	c  net.Conn
	rr *ftp.ReplyReader
}

// dial connects to addr and reads the greeting.
func dial(t testing.TB, addr string) *ctrl {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(30 * time.Second))
	cc := &ctrl{t: t, c: c, rr: ftp.NewReplyReader(c)}
	cc.expect(220)
	return cc
}

// login dials addr and logs in as user with password.
func login(t testing.TB, addr, user, password string) *ctrl {
	t.Helper()
	cc := dial(t, addr)
	cc.cmd(331, "USER "+user)
	cc.cmd(230, "PASS "+password)
	return cc
}

func (cc *ctrl) send(line string) {
	cc.t.Helper()
	if _, err := io.WriteString(cc.c, line+"\r\n"); err != nil {
		cc.t.Fatal(err)
	}
}

func (cc *ctrl) read() ftp.Reply {
	cc.t.Helper()
	r, err := cc.rr.ReadReply()
	if err != nil {
		cc.t.Fatalf("reading a reply: %v", err)
	}
	return r
}

func (cc *ctrl) expect(code int) ftp.Reply {
	cc.t.Helper()
	r := cc.read()
	if r.Code != code {
		cc.t.Fatalf("reply = %q, want code %d", r.String(), code)
	}
	return r
}

// cmd sends line and expects code.
func (cc *ctrl) cmd(code int, line string) ftp.Reply {
	cc.t.Helper()
	cc.send(line)
	return cc.expect(code)
}

// pasv sets up passive mode and connects the data connection.
func (cc *ctrl) pasv() net.Conn {
	cc.t.Helper()
	r := cc.cmd(227, "PASV")
	ap, err := ftp.ParsePASV(r.Lines[0])
	if err != nil {
		cc.t.Fatal(err)
	}
	d, err := net.Dial("tcp", ap.String())
	if err != nil {
		cc.t.Fatal(err)
	}
	cc.t.Cleanup(func() { d.Close() })
	return d
}

// retr downloads name over passive mode.
func (cc *ctrl) retr(name string) string {
	cc.t.Helper()
	d := cc.pasv()
	cc.cmd(150, "RETR "+name)
	b, err := io.ReadAll(d)
	if err != nil {
		cc.t.Fatal(err)
	}
	cc.expect(226)
	return string(b)
}

// active listens for an active-mode data connection and sends PORT for it.
func (cc *ctrl) active() net.Listener {
	cc.t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cc.t.Fatal(err)
	}
	cc.t.Cleanup(func() { l.Close() })
	hp, _ := ftp.FormatHostPort(netip.MustParseAddrPort(l.Addr().String()))
	cc.cmd(200, "PORT "+hp)
	return l
}

// list returns the names NLST sends for arg.
func (cc *ctrl) nlst(arg string) []string {
	cc.t.Helper()
	d := cc.pasv()
	cc.cmd(150, strings.TrimSpace("NLST "+arg))
	var names []string
	sc := bufio.NewScanner(d)
	for sc.Scan() {
		names = append(names, strings.TrimSuffix(sc.Text(), "\r"))
	}
	cc.expect(226)
	return names
}

var _ = fmt.Sprint

// dialRaw connects without reading the greeting.
func dialRaw(t testing.TB, addr string) *ctrl {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(30 * time.Second))
	return &ctrl{t: t, c: c, rr: ftp.NewReplyReader(c)}
}
