package pop3server_test

import (
	"bufio"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/pop3client"
	"github.com/protocollab/protolab/servers/mailstore"
	"github.com/protocollab/protolab/servers/pop3server"
)

// TestSession logs in after STLS, lists, retrieves, marks, unmarks and marks
// again, and quits: only then is the marked message gone from the store.
func TestSession(t *testing.T) {
	st := newStore(t, 3)
	ca := newCA(t)
	_, addr, _ := startServer(t, pop3server.Options{Stores: []*mailstore.Store{st}, TLS: ca.serverTLS(t)})
	c := dial(t, addr, &ca, pop3client.Options{})
	if !c.TLS() {
		t.Fatal("not TLS after STLS")
	}
	caps, err := c.Capabilities()
	if err != nil || !slices.Contains(caps, "USER") || slices.Contains(caps, "STLS") {
		t.Errorf("CAPA after STLS = %q, %v; want USER and no STLS", caps, err)
	}
	if err := c.Login("alice@alpha.test", "alice"); err != nil {
		t.Fatal(err)
	}
	n, size, err := c.Stat()
	if err != nil || n != 3 || size != int64(3*len(mail(1))) {
		t.Errorf("Stat = %d, %d, %v; want 3, %d", n, size, err, 3*len(mail(1)))
	}
	list, err := c.List()
	if err != nil || len(list) != 3 || list[1] != (pop3client.MessageInfo{Number: 2, Size: int64(len(mail(2)))}) {
		t.Errorf("List = %+v, %v", list, err)
	}
	uids := inbox(t, st)
	info, _ := st.Status("alice@alpha.test", mailstore.Inbox)
	uidl, err := c.Uidl()
	if want := strings.Join([]string{itoa(info.UIDValidity), itoa(uids[0])}, "."); err != nil || len(uidl) != 3 || uidl[0].UID != want {
		t.Errorf("Uidl = %+v, %v; want the first %q", uidl, err, want)
	}
	got, err := c.Retr(2)
	if err != nil || string(got) != string(mail(2)) {
		t.Errorf("Retr(2) = %q, %v; want %q", got, err, mail(2))
	}
	msgs, _ := st.List("alice@alpha.test", mailstore.Inbox)
	if !slices.Contains(msgs[1].Flags, mailstore.FlagSeen) {
		t.Errorf("flags after RETR = %q, want \\Seen", msgs[1].Flags)
	}
	top, err := c.Top(1, 1)
	if want := "From: Bob <bob@beta.test>\r\nTo: alice@alpha.test\r\nSubject: Note 1\r\n\r\nHello 1.\r\n"; err != nil || string(top) != want {
		t.Errorf("Top(1, 1) = %q, %v; want %q", top, err, want)
	}
	if err := c.Dele(1); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Retr(1); !isERR(err, "") {
		t.Errorf("Retr of a marked message: %v, want -ERR", err)
	}
	if n, _, _ := c.Stat(); n != 2 {
		t.Errorf("Stat after DELE counts %d, want 2", n)
	}
	if got := inbox(t, st); len(got) != 3 {
		t.Errorf("DELE deleted already: the store holds %d messages", len(got))
	}
	if err := c.Rset(); err != nil {
		t.Fatal(err)
	}
	if n, _, _ := c.Stat(); n != 3 {
		t.Errorf("Stat after RSET counts %d, want 3", n)
	}
	c.Dele(3)
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
	if got := inbox(t, st); !slices.Equal(got, uids[:2]) {
		t.Errorf("after QUIT the store holds %v, want %v", got, uids[:2])
	}
}

func itoa(n uint32) string { return strconv.FormatUint(uint64(n), 10) }

// isERR reports whether err is a -ERR response with the response code code
// ("" for any).
func isERR(err error, code string) bool {
	var e *pop3client.Error
	return errors.As(err, &e) && (code == "" || e.Code == code)
}

// TestCloseWithoutQuit: a session that ends without QUIT deletes nothing.
func TestCloseWithoutQuit(t *testing.T) {
	st := newStore(t, 2)
	_, addr, _ := startServer(t, pop3server.Options{Stores: []*mailstore.Store{st}})
	c := dial(t, addr, nil, pop3client.Options{})
	if err := c.Login("alice", "alice"); err != nil {
		t.Fatal(err)
	}
	c.Dele(1)
	c.Dele(2)
	c.Close()
	// A new session can lock the maildrop only once the first has let it go.
	c2 := dial(t, addr, nil, pop3client.Options{})
	for isERR(c2.Login("alice", "alice"), "IN-USE") {
	}
	if n, _, _ := c2.Stat(); n != 2 {
		t.Errorf("after a session closed without QUIT, Stat counts %d, want 2", n)
	}
}

// TestPlainRefusedBeforeTLS: USER and PASS are refused with [AUTH] before STLS,
// and CAPA does not offer USER, unless AllowPlainBeforeTLS.
func TestPlainRefusedBeforeTLS(t *testing.T) {
	st := newStore(t, 1)
	ca := newCA(t)
	for _, allow := range []bool{false, true} {
		_, addr, _ := startServer(t, pop3server.Options{Stores: []*mailstore.Store{st}, TLS: ca.serverTLS(t), AllowPlainBeforeTLS: allow})
		c := dial(t, addr, nil, pop3client.Options{})
		caps, _ := c.Capabilities()
		if slices.Contains(caps, "USER") != allow || !slices.Contains(caps, "STLS") {
			t.Errorf("allow %v: CAPA = %q", allow, caps)
		}
		err := c.Login("alice", "alice")
		switch {
		case allow && err != nil:
			t.Errorf("plain login allowed: %v", err)
		case !allow && !isERR(err, "AUTH"):
			t.Errorf("plain login before STLS: %v, want -ERR [AUTH]", err)
		}
		c.Quit()
	}
}

// TestWrongPassword: wrong passwords are refused with [AUTH], and the third
// closes the connection.
func TestWrongPassword(t *testing.T) {
	st := newStore(t, 1)
	_, addr, logs := startServer(t, pop3server.Options{Stores: []*mailstore.Store{st}})
	c := dial(t, addr, nil, pop3client.Options{})
	for i := range 3 {
		if err := c.Login("alice", "wrong"); !isERR(err, "AUTH") {
			t.Fatalf("try %d: %v, want -ERR [AUTH]", i+1, err)
		}
	}
	if err := c.Noop(); err == nil {
		t.Error("the session still answers after three wrong passwords")
	}
	if !strings.Contains(logs.String(), "failed login") {
		t.Errorf("log = %q", logs.String())
	}
	c = dial(t, addr, nil, pop3client.Options{})
	if err := c.Login("alice@beta.test", "alice"); !isERR(err, "AUTH") {
		t.Errorf("alice at the wrong domain: %v, want -ERR [AUTH]", err)
	}
}

// TestInUse: one session at a time holds a maildrop.
func TestInUse(t *testing.T) {
	st := newStore(t, 1)
	_, addr, _ := startServer(t, pop3server.Options{Stores: []*mailstore.Store{st}})
	a := dial(t, addr, nil, pop3client.Options{})
	if err := a.Login("alice", "alice"); err != nil {
		t.Fatal(err)
	}
	b := dial(t, addr, nil, pop3client.Options{})
	if err := b.Login("alice", "alice"); !isERR(err, "IN-USE") {
		t.Errorf("second login: %v, want -ERR [IN-USE]", err)
	}
	a.Quit()
	if err := b.Login("alice", "alice"); err != nil {
		t.Errorf("login after the first session quit: %v", err)
	}
}

// TestAPOP logs in with the digest of the greeting's timestamp.
func TestAPOP(t *testing.T) {
	st := newStore(t, 1)
	_, addr, _ := startServer(t, pop3server.Options{Stores: []*mailstore.Store{st}})
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	greeting, _ := r.ReadString('\n')
	stamp := greeting[strings.IndexByte(greeting, '<') : strings.IndexByte(greeting, '>')+1]
	for _, tt := range []struct{ pass, want string }{{"wrong", "-ERR [AUTH]"}, {"alice", "+OK"}} {
		conn.Write([]byte("APOP alice " + md5hex(stamp+tt.pass) + "\r\n"))
		if got, _ := r.ReadString('\n'); !strings.HasPrefix(got, tt.want) {
			t.Errorf("APOP with %q: %q, want %s", tt.pass, got, tt.want)
		}
	}
}

// TestCommandErrors checks answers to commands out of place or malformed.
func TestCommandErrors(t *testing.T) {
	st := newStore(t, 1)
	_, addr, _ := startServer(t, pop3server.Options{Stores: []*mailstore.Store{st}})
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	r.ReadString('\n')
	for _, tt := range []struct{ send, want string }{
		{"STAT", "-ERR Log in first"},
		{"PASS alice", "-ERR Send USER first"},
		{"STLS", "-ERR STLS is not offered"},
		{"USER " + strings.Repeat("a", 300), "-ERR Command line too long"},
		{"RETR\x011", "-ERR Malformed"},
		{"USER alice", "+OK"},
		{"PASS alice", "+OK alice@alpha.test's maildrop has 1 message"},
		{"RETR 2", "-ERR No message 2"},
		{"RETR x", "-ERR \"x\" is not a message number"},
		{"TOP 1", "-ERR TOP needs"},
		{"USER bob", "-ERR Already logged in"},
		{"XYZZY", "-ERR Unknown command XYZZY"},
		{"DELE 1", "+OK"},
		{"DELE 1", "-ERR Message 1 is marked deleted"},
		{"LIST", "+OK 0 messages"},
		{".", ""},
		{"QUIT", "+OK Goodbye: 1 message deleted, 0 left."},
	} {
		if tt.send != "." {
			conn.Write([]byte(tt.send + "\r\n"))
		}
		got, _ := r.ReadString('\n')
		if !strings.HasPrefix(got, tt.want) {
			t.Errorf("%q: %q, want %q…", tt.send, got, tt.want)
		}
	}
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestMaxClients: a connection past MaxClients is turned away with [SYS/TEMP].
func TestMaxClients(t *testing.T) {
	st := newStore(t, 0)
	_, addr, _ := startServer(t, pop3server.Options{Stores: []*mailstore.Store{st}, MaxClients: 1})
	dial(t, addr, nil, pop3client.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := pop3client.Dial(ctx, addr, pop3client.Options{}); !isERR(err, "SYS/TEMP") {
		t.Errorf("a second client past MaxClients 1: %v, want -ERR [SYS/TEMP]", err)
	}
}
