package ftpserver_test

import (
	"bufio"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/protocols/ftp"
	"github.com/protocollab/protolab/servers/ftpserver"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// TestLongLineRefused: 16 MiB without a line end is refused at the line's bound
// (500, and the connection closed) without the server or the capture reading
// it all, while another client is served.
func TestLongLineRefused(t *testing.T) {
	hub := newHub()
	_, addr, logs := startServer(t, ftpserver.Options{Tap: hub.Tap(hub.Registry().Lookup("ftp"))})
	res := servertest.Flood{Addr: addr, Start: servertest.Greeted("220 "), Prefix: "USER ", Other: servertest.Served(addr, "220 ", "NOOP", "200 ")}.Run(t)
	if want := "500 Command line too long (more than 4096 bytes): closing the control connection.\r\n"; res.Answer != want {
		t.Errorf("answer = %q, want %q", res.Answer, want)
	}
	if !strings.Contains(logs.String(), "longer than 4096 bytes") {
		t.Errorf("log = %q, want the long line noted", logs)
	}
}

// TestWrongPasswordShown: the inspector shows each held-back answer to a wrong
// password, with its count and its growing wait.
func TestWrongPasswordShown(t *testing.T) {
	hub := newHub()
	_, addr, _ := startServer(t, ftpserver.Options{AuthDelay: time.Millisecond, Tap: hub.Tap(hub.Registry().Lookup("ftp"))})
	cc := dial(t, addr)
	for _, pass := range []string{"wrong", "worse"} {
		cc.cmd(331, "USER lab")
		cc.cmd(530, "PASS "+pass)
	}
	want := []string{
		"wrong password #1 from 127.0.0.1: answer delayed 1ms",
		"wrong password #2 from 127.0.0.1: answer delayed 2ms",
	}
	if got := servertest.DelayNotes(hub); !slices.Equal(got, want) {
		t.Errorf("inspector notes = %q, want %q", got, want)
	}
}

// TestUploadBounded: an upload of 16 MiB to a server that keeps files up to
// 1 MiB is cut at the bound and answered 552, and leaves nothing, while
// another client is served.
func TestUploadBounded(t *testing.T) {
	hub := newHub()
	root := seededRoot(t)
	_, addr, _ := startServer(t, ftpserver.Options{Root: root, MaxUploadBytes: 1 << 20,
		Tap: hub.Tap(hub.Registry().Lookup("ftp")), DataTap: hub.Tap(hub.Registry().Lookup("ftp-data"))})
	cc := login(t, addr, "lab", "lab")
	cc.cmd(200, "TYPE I")
	r := cc.cmd(227, "PASV")
	ap, err := ftp.ParsePASV(r.Lines[0])
	if err != nil {
		t.Fatal(err)
	}
	cc.send("STOR big.bin")
	servertest.Flood{Addr: ap.String(), Start: func(net.Conn, *bufio.Reader) error {
		cc.expect(150)
		return nil
	}, Other: servertest.Served(addr, "220 ", "NOOP", "200 ")}.Run(t)
	if r := cc.expect(552); !strings.Contains(r.Text(), "1048576 bytes at most") {
		t.Errorf("reply = %q, want the bound said", r.String())
	}
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if strings.Contains(e.Name(), "big.bin") {
			t.Errorf("%s left in the root", e.Name())
		}
	}
}
