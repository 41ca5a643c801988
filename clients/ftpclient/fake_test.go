package ftpclient_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/ftpclient"
)

// fake is a scripted FTP server for the client's edge cases: script talks to one
// client over tp; its failures are reported when the test ends.
func fake(t *testing.T, script func(tp *textproto.Conn) error) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		c, err := l.Accept()
		l.Close()
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		done <- script(textproto.NewConn(c))
	}()
	t.Cleanup(func() {
		l.Close()
		if err := <-done; err != nil {
			t.Errorf("fake server: %v", err)
		}
	})
	return l.Addr().String()
}

// expect reads one command and checks it.
func expect(tp *textproto.Conn, want string) error {
	line, err := tp.ReadLine()
	if err != nil {
		return fmt.Errorf("reading %q: %w", want, err)
	}
	if line != want {
		return fmt.Errorf("command %q, want %q", line, want)
	}
	return nil
}

// exchange reads each command in turn and answers it with its reply.
func exchange(tp *textproto.Conn, pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := expect(tp, pairs[i]); err != nil {
			return err
		}
		if err := tp.PrintfLine("%s", pairs[i+1]); err != nil {
			return err
		}
	}
	return nil
}

func dialFake(t *testing.T, addr string, opts ftpclient.Options) *ftpclient.Client {
	t.Helper()
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	c, err := ftpclient.Dial(context.Background(), addr, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// login is the fake side of Login with a password, features and TYPE I.
func login(tp *textproto.Conn, features ...string) error {
	feat := "211 no features"
	if len(features) > 0 {
		feat = "211-Features:\r\n " + strings.Join(features, "\r\n ") + "\r\n211 End"
	}
	return exchange(tp, "USER lab", "331 Password, please.", "PASS secret", "230 Welcome.", "FEAT", feat, "TYPE I", "200 Binary.")
}

func TestMultilineRepliesAndQuotedPaths(t *testing.T) {
	addr := fake(t, func(tp *textproto.Conn) error {
		// Middle lines may begin with the code and a hyphen, or anything but the
		// code and a space (RFC 959 §4.2).
		tp.PrintfLine("220-Welcome to the lab.\r\n220-More to come:\r\n 220 files, indented\r\n220 Ready.")
		if err := login(tp, "MLST type*;size*;modify*;", "SIZE", "UTF8"); err != nil {
			return err
		}
		return exchange(tp, "PWD", `257 "/my ""quoted"" folder" is the current directory.`,
			"NOOP", "200-one\r\n200-two\r\n200 three", "QUIT", "221 Bye.")
	})
	c := dialFake(t, addr, ftpclient.Options{})
	if g := c.Greeting(); !strings.HasPrefix(g, "Welcome to the lab.\n") || !strings.HasSuffix(g, "\nReady.") {
		t.Errorf("Greeting() = %q, want all four lines", g)
	}
	if err := c.Login("lab", "secret"); err != nil {
		t.Fatal(err)
	}
	f := c.Features()
	if _, ok := f["SIZE"]; !ok || f["MLST"] != "type*;size*;modify*;" || len(f) != 3 {
		t.Errorf("Features() = %q, want MLST, SIZE, UTF8", f)
	}
	if dir, err := c.Pwd(); err != nil || dir != `/my "quoted" folder` {
		t.Errorf("Pwd = %q, %v, want %q", dir, err, `/my "quoted" folder`)
	}
	if err := c.Noop(); err != nil {
		t.Errorf("Noop: %v", err)
	}
	if err := c.Quit(); err != nil {
		t.Errorf("Quit: %v", err)
	}
}

func TestErrorsAreTypedAndReadable(t *testing.T) {
	addr := fake(t, func(tp *textproto.Conn) error {
		tp.PrintfLine("220 Ready.")
		if err := exchange(tp, "USER lab", "331 Password, please.", "PASS wrong", "530 Login incorrect."); err != nil {
			return err
		}
		if err := login(tp); err != nil {
			return err
		}
		// The path with a line break is never sent: NOOP comes next.
		return exchange(tp, "DELE notes.txt", "550 No such file: notes.txt", "RNFR a", "350 Ready for RNTO.", "RNTO b", "450 Busy, try later.", "NOOP", "200 OK.")
	})
	c := dialFake(t, addr, ftpclient.Options{})
	err := c.Login("lab", "wrong")
	var fe *ftpclient.Error
	if !errors.As(err, &fe) || fe.Code != 530 || strings.Contains(err.Error(), "wrong") {
		t.Errorf("Login with a wrong password: %v, want a 530 that does not show the password", err)
	}
	if err := c.Login("lab", "secret"); err != nil {
		t.Fatal(err)
	}
	err = c.Delete("notes.txt")
	if got, want := fmt.Sprint(err), "550 No such file: notes.txt (DELE notes.txt)"; got != want {
		t.Errorf("Delete = %q, want %q", got, want)
	}
	err = c.Rename("a", "b")
	if !errors.As(err, &fe) || fe.Code != 450 || !fe.Temporary() {
		t.Errorf("Rename = %v, want a temporary 450", err)
	}
	if err := c.Delete("a\r\nDELE b"); err == nil || !strings.Contains(err.Error(), "line break") {
		t.Errorf("Delete of a name with a line break = %v, want it refused", err)
	}
	if err := c.Noop(); err != nil {
		t.Errorf("Noop: %v", err)
	}
}

func TestPassiveFallsBackToPASVAndDialsTheControlAddress(t *testing.T) {
	dl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer dl.Close()
	port := dl.Addr().(*net.TCPAddr).Port
	addr := fake(t, func(tp *textproto.Conn) error {
		tp.PrintfLine("220 Ready.")
		if err := login(tp); err != nil {
			return err
		}
		// The address in the 227 reply is not the server's: the client must
		// dial the control connection's address all the same.
		if err := exchange(tp, "EPSV", "500 What?", "PASV", fmt.Sprintf("227 Entering Passive Mode (127,0,0,9,%d,%d).", port>>8, port&0xff)); err != nil {
			return err
		}
		data, err := dl.Accept()
		if err != nil {
			return err
		}
		if err := expect(tp, "RETR x.txt"); err != nil {
			return err
		}
		tp.PrintfLine("150 Opening BINARY mode data connection for x.txt (11 bytes).")
		io.WriteString(data, "hello world")
		data.Close()
		tp.PrintfLine("226 Done.")
		// Having learnt, the client asks with PASV straight away.
		if err := exchange(tp, "PASV", fmt.Sprintf("227 Entering Passive Mode (127,0,0,1,%d,%d).", port>>8, port&0xff)); err != nil {
			return err
		}
		if data, err = dl.Accept(); err != nil {
			return err
		}
		if err := expect(tp, "LIST"); err != nil {
			return err
		}
		tp.PrintfLine("150 Here comes the directory listing.")
		io.WriteString(data, "-rw-r--r--    1 0        0              11 Nov 23 17:10 x.txt\r\n")
		data.Close()
		return tp.PrintfLine("226 Directory send OK.")
	})
	c := dialFake(t, addr, ftpclient.Options{})
	if err := c.Login("lab", "secret"); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	var total int64
	if err := c.Retr("x.txt", &got, func(_, t int64) { total = t }); err != nil {
		t.Fatal(err)
	}
	if got.String() != "hello world" || total != 11 {
		t.Errorf("Retr = %q with total %d, want %q with 11 from the 150 reply", got.String(), total, "hello world")
	}
	entries, err := c.List("")
	if err != nil || len(entries) != 1 || entries[0].Name != "x.txt" || entries[0].Size != 11 {
		t.Errorf("List = %+v, %v; want x.txt of 11 bytes", entries, err)
	}
}

// TestActiveModeRefusesStrangers: a connection to the active-mode listener from
// an address other than the server's is refused, and the server's is taken.
func TestActiveModeRefusesStrangers(t *testing.T) {
	stranger := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}
	strangerRefused := make(chan error, 1)
	addr := fake(t, func(tp *textproto.Conn) error {
		tp.PrintfLine("220 Ready.")
		if err := login(tp); err != nil {
			return err
		}
		line, err := tp.ReadLine()
		if err != nil {
			return err
		}
		var h [4]int
		var p1, p2 int
		if _, err := fmt.Sscanf(line, "PORT %d,%d,%d,%d,%d,%d", &h[0], &h[1], &h[2], &h[3], &p1, &p2); err != nil {
			return fmt.Errorf("command %q, want PORT: %v", line, err)
		}
		target := net.JoinHostPort(fmt.Sprintf("%d.%d.%d.%d", h[0], h[1], h[2], h[3]), strconv.Itoa(p1<<8|p2))
		tp.PrintfLine("200 PORT command successful.")
		if err := expect(tp, "RETR x.txt"); err != nil {
			return err
		}
		tp.PrintfLine("150 Opening data connection.")
		// A stranger comes first: the client must drop it.
		// The client may reset it so soon that even the connect fails.
		sc, err := stranger.Dial("tcp", target)
		if err == nil {
			_, err = sc.Read(make([]byte, 1))
			sc.Close()
		}
		strangerRefused <- err
		data, err := net.Dial("tcp", target)
		if err != nil {
			return err
		}
		io.WriteString(data, "from the server")
		data.Close()
		return tp.PrintfLine("226 Done.")
	})
	c := dialFake(t, addr, ftpclient.Options{Mode: ftpclient.Active})
	if err := c.Login("lab", "secret"); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := c.Retr("x.txt", &got, nil); err != nil {
		t.Fatal(err)
	}
	if got.String() != "from the server" {
		t.Errorf("Retr = %q, want the server's bytes", got.String())
	}
	if err := <-strangerRefused; !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("the stranger's connection: %v, want it closed or reset by the client", err)
	}
}

func TestCloseInterruptsATransfer(t *testing.T) {
	dl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer dl.Close()
	port := dl.Addr().(*net.TCPAddr).Port
	addr := fake(t, func(tp *textproto.Conn) error {
		tp.PrintfLine("220 Ready.")
		if err := login(tp); err != nil {
			return err
		}
		if err := exchange(tp, "EPSV", fmt.Sprintf("229 Entering Extended Passive Mode (|||%d|)", port)); err != nil {
			return err
		}
		data, err := dl.Accept()
		if err != nil {
			return err
		}
		defer data.Close()
		if err := expect(tp, "RETR endless"); err != nil {
			return err
		}
		tp.PrintfLine("150 Here it comes.")
		for { // until the client goes away
			if _, err := data.Write(make([]byte, 64<<10)); err != nil {
				return nil
			}
		}
	})
	c := dialFake(t, addr, ftpclient.Options{})
	if err := c.Login("lab", "secret"); err != nil {
		t.Fatal(err)
	}
	err = c.Retr("endless", io.Discard, func(done, _ int64) {
		if done > 1<<20 {
			go c.Close()
		}
	})
	if !errors.Is(err, ftpclient.ErrClosed) {
		t.Errorf("Retr interrupted by Close = %v, want ErrClosed", err)
	}
}

func TestSilentServerTimesOut(t *testing.T) {
	addr := fake(t, func(tp *textproto.Conn) error {
		tp.PrintfLine("220 Ready.")
		_, err := tp.ReadLine() // USER, never answered
		tp.ReadLine()           // until the client gives up
		return err
	})
	c := dialFake(t, addr, ftpclient.Options{Timeout: 100 * time.Millisecond})
	err := c.Login("lab", "secret")
	if err == nil || !strings.Contains(err.Error(), "did not answer within") {
		t.Errorf("Login to a silent server = %v, want a timeout that says so", err)
	}
}

func TestNotAnFTPServer(t *testing.T) {
	for _, tt := range []struct{ name, greeting, want string }{
		{"http", "HTTP/1.1 400 Bad Request\r\n", "not FTP"},
		{"endless line", "220 " + strings.Repeat("x", 100<<10), "longer than"},
		{"code out of range", "999 Hi\r\n", "not one of FTP's"},
		{"refusal", "421 Too many users.\r\n", "421 Too many users."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			addr := fake(t, func(tp *textproto.Conn) error {
				tp.W.WriteString(tt.greeting)
				tp.W.Flush()
				io.Copy(io.Discard, tp.R)
				return nil
			})
			_, err := ftpclient.Dial(context.Background(), addr, ftpclient.Options{Timeout: 5 * time.Second})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Dial = %v, want an error with %q", err, tt.want)
			}
		})
	}
}

func TestNothingListening(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	_, err := ftpclient.Dial(context.Background(), addr, ftpclient.Options{})
	if err == nil || !strings.Contains(err.Error(), "start the FTP server") {
		t.Errorf("Dial to a closed port = %v, want advice", err)
	}
}
