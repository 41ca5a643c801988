package smtpserver_test

import (
	"bufio"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/servertest"
	"github.com/protocollab/protolab/servers/smtpserver"
)

// toData brings a connection to the start of a message's data.
func toData(c net.Conn, r *bufio.Reader) error {
	for _, cmd := range []string{"", "EHLO x", "MAIL FROM:<someone@beta.test>", "RCPT TO:<alice@alpha.test>", "DATA"} {
		if cmd != "" {
			fmt.Fprintf(c, "%s\r\n", cmd)
		}
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return fmt.Errorf("%s: %v", cmd, err)
			}
			if line[0] != '2' && line[0] != '3' {
				return fmt.Errorf("%s: %q", cmd, line)
			}
			if len(line) < 4 || line[3] != '-' {
				break
			}
		}
	}
	return nil
}

// TestFloodRefused: 16 MiB without a line end, as a command or in a message,
// is refused at the line's bound (500 5.4.0, the connection closed); a message
// of 16 MiB in lines at the message's bound (552 5.3.4); another client is
// served meanwhile, and the process does not grow with what is sent.
func TestFloodRefused(t *testing.T) {
	// The capture keeps up to its bound of the message the server drains.
	hub := lab.NewHub(lab.HubOptions{Registry: newHub().Registry(), MaxBytes: 1 << 20})
	store := newStore(t, "alpha.test")
	_, addr := startServer(t, smtpserver.Options{Store: store, Tap: hub.Tap(hub.Registry().Lookup("smtp")), MaxMessageBytes: 1 << 20})
	other := servertest.Served(addr, "220 ", "EHLO other", "250")
	tooLong := "500 5.4.0 Too long line, closing connection\r\n"

	res := servertest.Flood{Addr: addr, Start: servertest.Greeted("220 "), Prefix: "EHLO ", Other: other}.Run(t)
	if !strings.HasSuffix(res.Answer, tooLong) { // go-smtp may first answer the part it read (501)
		t.Errorf("a command line of 16 MiB: %q, want %q at its end", res.Answer, tooLong)
	}
	res = servertest.Flood{Addr: addr, Start: toData, Other: other}.Run(t)
	if !strings.HasSuffix(res.Answer, tooLong) {
		t.Errorf("a data line of 16 MiB: %q, want %q at its end", res.Answer, tooLong)
	}
	res = servertest.Flood{Addr: addr, Start: toData, Pattern: strings.Repeat("x", 78) + "\r\n", Suffix: "\r\n.\r\n",
		Other: other, Drains: true, Until: "\r\n"}.Run(t)
	if want := "552 5.3.4 Maximum message size exceeded\r\n"; res.Answer != want {
		t.Errorf("a message of 16 MiB: %q, want %q", res.Answer, want)
	}
	if msgs, _ := store.List(alice, "INBOX"); len(msgs) != 0 {
		t.Errorf("%d messages stored, want none", len(msgs))
	}
}

// TestWrongPasswordShown: the inspector shows each held-back answer to a wrong
// password, with its count and its growing wait.
func TestWrongPasswordShown(t *testing.T) {
	hub := newHub()
	_, addr := startServer(t, smtpserver.Options{Store: newStore(t, "alpha.test"), AllowInsecureAuth: true,
		AuthDelay: time.Millisecond, Tap: hub.Tap(hub.Registry().Lookup("smtp"))})
	c := dial(t, addr)
	c.cmd(250, "EHLO x")
	c.cmd(535, "AUTH PLAIN %s", plain("alice", "wrong"))
	c.cmd(535, "AUTH PLAIN %s", plain("alice", "worse"))
	want := []string{
		"wrong password #1 from 127.0.0.1: answer delayed 1ms",
		"wrong password #2 from 127.0.0.1: answer delayed 2ms",
	}
	if got := servertest.DelayNotes(hub); !slices.Equal(got, want) {
		t.Errorf("inspector notes = %q, want %q", got, want)
	}
}
