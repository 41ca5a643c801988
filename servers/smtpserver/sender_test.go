package smtpserver_test

import (
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
	"github.com/protocollab/protolab/servers/smtpserver"
)

// TestSenderIdentity: logged in as alice, a client may send as alice (in any
// case) but not as bob nor with the null sender; before logging in it may
// name anyone, as mail from another host does.
func TestSenderIdentity(t *testing.T) {
	store := newStore(t, "alpha.test")
	_, addr := startServer(t, smtpserver.Options{Store: store, AllowInsecureAuth: true})
	c := dial(t, addr)
	c.cmd(250, "EHLO x")
	c.cmd(250, "MAIL FROM:<bob@beta.test>")
	c.cmd(250, "RSET")
	c.cmd(235, "AUTH PLAIN %s", plain("alice", "alice"))
	for _, from := range []string{"bob@beta.test", "alice@beta.test", "bob@alpha.test", ""} {
		text := c.cmd(553, "MAIL FROM:<%s>", from)
		if !strings.HasPrefix(text, "5.7.1 ") || !strings.Contains(text, "only as <alice@alpha.test>") {
			t.Errorf("MAIL FROM:<%s> = %q, want 553 5.7.1 naming alice's address", from, text)
		}
	}
	c.send("Alice@Alpha.Test", alice, "Subject: me\r\n\r\nme")
	onlyMessage(t, store, alice)
}

// TestSpoofingAllowed: with AllowAnySender, alice sends as bob, and the mail is
// delivered with bob as its Return-Path.
func TestSpoofingAllowed(t *testing.T) {
	store := newStore(t, "alpha.test")
	_, addr := startServer(t, smtpserver.Options{Store: store, AllowInsecureAuth: true, AllowAnySender: true})
	c := dial(t, addr)
	c.cmd(250, "EHLO x")
	c.cmd(235, "AUTH PLAIN %s", plain("alice", "alice"))
	c.send("bob@beta.test", alice, "From: bob@beta.test\r\nSubject: not really bob\r\n\r\nhi")
	raw := onlyMessage(t, store, alice)
	if !strings.HasPrefix(string(raw), "Return-Path: <bob@beta.test>\r\nReceived: ") {
		t.Errorf("spoofed message = %q, want Return-Path <bob@beta.test>", raw)
	}
}

// TestAnySenderSetting: the lab setting turns AllowAnySender on, off by default.
func TestAnySenderSetting(t *testing.T) {
	labdirtest.Temp(t)
	for _, tt := range []struct {
		value string
		code  int
	}{{"", 553}, {smtpserver.Off, 553}, {smtpserver.On, 250}} {
		settings := map[string]string{smtpserver.SettingInsecureAuth: smtpserver.On, smtpserver.SettingStartTLS: smtpserver.Off}
		if tt.value != "" {
			settings[smtpserver.SettingAnySender] = tt.value
		}
		srv, err := smtpserver.NewLab(lab.ServerOptions{Addr: "127.0.0.1:0", Settings: settings})
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		c := dial(t, srv.Addr().String())
		c.cmd(250, "EHLO x")
		c.cmd(235, "AUTH PLAIN %s", plain("alice", "alice"))
		c.cmd(tt.code, "MAIL FROM:<bob@beta.test>")
		srv.Close()
	}
	if _, err := smtpserver.NewLab(lab.ServerOptions{Addr: "127.0.0.1:0", Settings: map[string]string{smtpserver.SettingAnySender: "yes"}}); err == nil {
		t.Errorf("NewLab with %s=yes succeeded", smtpserver.SettingAnySender)
	}
}
