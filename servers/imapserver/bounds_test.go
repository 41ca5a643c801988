package imapserver_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/imapclient"
	"github.com/protocollab/protolab/servers/imapserver"
	"github.com/protocollab/protolab/servers/internal/servertest"
	"github.com/protocollab/protolab/servers/mailstore"
)

// TestFloodRefused: 16 MiB of one command without a line end, or in a literal,
// is refused at go-imap's bounds (a command of 50 KiB: the connection closed; a
// literal of 4 KiB outside APPEND: NO; APPEND's limit: NO [TOOBIG]) without the
// server reading it all, while another client is served.
func TestFloodRefused(t *testing.T) {
	hub := newHub()
	_, addr, _ := startServer(t, imapserver.Options{
		Stores:              []*mailstore.Store{newStore(t, 1)},
		Tap:                 hub.Tap(hub.Registry().Lookup("imap")),
		AllowPlainBeforeTLS: true,
		AppendLimit:         1 << 20,
	}, nil)
	other := servertest.Served(addr, "* OK ", "a CAPABILITY", "* CAPABILITY")
	for _, tt := range []struct {
		name, prefix, want string
	}{
		{"a command line", "a LOGIN ", ""}, // go-imap closes the connection, without a BYE
		{"a literal", "a LOGIN {16777216+}\r\n", "a NO "},
		{"an APPEND", "a APPEND INBOX {16777216+}\r\n", "TOOBIG"},
	} {
		res := servertest.Flood{Addr: addr, Start: servertest.Greeted("* OK "), Prefix: tt.prefix, Other: other}.Run(t)
		if !strings.Contains(res.Answer, tt.want) {
			t.Errorf("%s of 16 MiB: %q, want %q", tt.name, res.Answer, tt.want)
		}
	}
}

// TestWrongPasswordShown: the inspector shows each held-back answer to a wrong
// password, with its count and its growing wait.
func TestWrongPasswordShown(t *testing.T) {
	hub := newHub()
	_, addr, _ := startServer(t, imapserver.Options{Stores: []*mailstore.Store{newStore(t, 0)},
		AllowPlainBeforeTLS: true, AuthDelay: time.Millisecond, Tap: hub.Tap(hub.Registry().Lookup("imap"))}, nil)
	c := dial(t, addr, nil, imapclient.Options{})
	for _, pass := range []string{"wrong", "worse"} {
		if err := c.Login("alice", pass); err == nil {
			t.Fatalf("password %q let in", pass)
		}
	}
	want := []string{
		"wrong password #1 from 127.0.0.1: answer delayed 1ms",
		"wrong password #2 from 127.0.0.1: answer delayed 2ms",
	}
	if got := servertest.DelayNotes(hub); !slices.Equal(got, want) {
		t.Errorf("inspector notes = %q, want %q", got, want)
	}
}
