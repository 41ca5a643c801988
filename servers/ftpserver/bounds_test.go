package ftpserver_test

import (
	"slices"
	"strings"
	"testing"
	"time"

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
