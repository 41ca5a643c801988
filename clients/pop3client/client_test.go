package pop3client_test

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/pop3client"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/protocols/pop3"
	"github.com/protocollab/protolab/servers/mailstore"
	"github.com/protocollab/protolab/servers/pop3server"
)

const body = "Subject: hi\r\n\r\n.dot\r\n"

// serve runs the lab's POP3 server over a store with alice and one message.
func serve(t *testing.T, tls bool) (addr string, ca *labca.CA, st *mailstore.Store) {
	t.Helper()
	st, err := mailstore.Open(t.TempDir(), "alpha.test")
	if err != nil {
		t.Fatal(err)
	}
	st.SetAccounts([]mailstore.Account{{User: "alice", Password: "alice"}})
	st.Deliver("alice@alpha.test", []byte(body))
	opts := pop3server.Options{Stores: []*mailstore.Store{st}, AuthDelay: -1}
	if tls {
		if ca, err = labca.Open(t.TempDir()); err != nil {
			t.Fatal(err)
		}
		cert, err := ca.Leaf()
		if err != nil {
			t.Fatal(err)
		}
		opts.TLS = pop3server.TLSConfig(cert)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := pop3server.New(opts)
	go srv.Serve(l)
	<-srv.Started()
	t.Cleanup(func() { srv.Close() })
	return l.Addr().String(), ca, st
}

func dial(t *testing.T, addr string, opts pop3client.Options) (*pop3client.Client, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pop3client.Dial(ctx, addr, opts)
	if err == nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, err
}

func TestClient(t *testing.T) {
	addr, ca, _ := serve(t, true)
	c, err := dial(t, addr, pop3client.Options{StartTLS: true, RootCAs: ca.Pool()})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.Greeting(), "Protocol Lab POP3 server ready") || !c.TLS() {
		t.Errorf("Greeting = %q, TLS %v", c.Greeting(), c.TLS())
	}
	if err := c.Login("alice", "alice"); err != nil {
		t.Fatal(err)
	}
	got, err := c.Retr(1)
	if err != nil || string(got) != body {
		t.Errorf("Retr = %q, %v; want %q", got, err, body)
	}
	var e *pop3client.Error
	if _, err := c.Retr(9); !errors.As(err, &e) || e.Command != "RETR 9" {
		t.Errorf("Retr(9) = %v, want an *Error for RETR 9", err)
	}
	if err := c.Noop(); err != nil {
		t.Errorf("the session after a -ERR: %v", err)
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
	if err := c.Noop(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Noop after Quit = %v, want net.ErrClosed", err)
	}
}

func TestDialErrors(t *testing.T) {
	addr, _, _ := serve(t, false)
	if _, err := dial(t, addr, pop3client.Options{StartTLS: true}); err == nil || !strings.Contains(err.Error(), "does not offer STLS") {
		t.Errorf("StartTLS to a server without TLS: %v", err)
	}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	free := l.Addr().String()
	l.Close()
	if _, err := dial(t, free, pop3client.Options{}); err == nil || !strings.Contains(err.Error(), "nothing is listening") {
		t.Errorf("dial a closed port: %v", err)
	}
	if _, err := dial(t, "no-port", pop3client.Options{}); err == nil {
		t.Error("dial without a port succeeded")
	}
	// A server that turns the client away in its greeting.
	l, _ = net.Listen("tcp", "127.0.0.1:0")
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err == nil {
			c.Write([]byte("-ERR [SYS/TEMP] busy\r\n"))
			c.Close()
		}
	}()
	var e *pop3client.Error
	if _, err := dial(t, l.Addr().String(), pop3client.Options{}); !errors.As(err, &e) || e.Code != "SYS/TEMP" {
		t.Errorf("a -ERR greeting: %v", err)
	}
}

// TestMaxMessage: a message over the limit is refused and the session goes on.
func TestMaxMessage(t *testing.T) {
	addr, _, _ := serve(t, false)
	c, err := dial(t, addr, pop3client.Options{MaxMessage: 5})
	if err != nil {
		t.Fatal(err)
	}
	c.Login("alice", "alice")
	if _, err := c.Retr(1); !errors.Is(err, pop3.ErrResponseTooLong) {
		t.Errorf("Retr over MaxMessage = %v", err)
	}
	if n, _, err := c.Stat(); err != nil || n != 1 {
		t.Errorf("Stat after a refused Retr = %d, %v", n, err)
	}
}

// TestScripted checks the client against a scripted server: it sends
// exactly the commands expected, each line within POP3's bounds.
func TestScripted(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	defer l.Close()
	got := make(chan []string, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		c.Write([]byte("+OK hi\r\n"))
		var lines []string
		for _, reply := range []string{"+OK\r\n", "+OK\r\n", "+OK 1 5\r\n", "+OK\r\n1 5\r\n.\r\n", "+OK\r\n1 7.1\r\n.\r\n", "+OK\r\nA: b\r\n\r\n.\r\n", "+OK\r\n", "+OK\r\n", "+OK bye\r\n"} {
			line, err := r.ReadString('\n')
			if err != nil {
				break
			}
			lines = append(lines, strings.TrimSpace(line))
			c.Write([]byte(reply))
		}
		got <- lines
	}()
	c, err := dial(t, l.Addr().String(), pop3client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c.Login("alice", "secret word")
	c.Stat()
	if list, err := c.List(); err != nil || len(list) != 1 || list[0].Size != 5 {
		t.Errorf("List = %+v, %v", list, err)
	}
	if ids, err := c.Uidl(); err != nil || len(ids) != 1 || ids[0].UID != "7.1" {
		t.Errorf("Uidl = %+v, %v", ids, err)
	}
	if top, err := c.Top(1, 0); err != nil || string(top) != "A: b\r\n\r\n" {
		t.Errorf("Top = %q, %v", top, err)
	}
	c.Dele(1)
	c.Rset()
	c.Quit()
	want := "USER alice|PASS secret word|STAT|LIST|UIDL|TOP 1 0|DELE 1|RSET|QUIT"
	if lines := strings.Join(<-got, "|"); lines != want {
		t.Errorf("the client sent %q, want %q", lines, want)
	}
}
