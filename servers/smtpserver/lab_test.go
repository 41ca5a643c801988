package smtpserver_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
	"github.com/protocollab/protolab/servers/mailstore"
	"github.com/protocollab/protolab/servers/smtpserver"
)

// TestNewLab starts alpha.test's and beta.test's servers as the bench does, with
// the stores in the lab's data folder, and relays between them.
func TestNewLab(t *testing.T) {
	data := labdirtest.Temp(t).Data
	hub := newHub()
	dnsAddr := startDNS(t, hub)
	betaTap := hub.Tap(hub.Registry().Lookup("smtp-beta"))
	beta, err := smtpserver.NewLab(lab.ServerOptions{Addr: "127.0.0.1:0", Tap: betaTap,
		Settings: map[string]string{smtpserver.SettingDomain: "beta.test", smtpserver.SettingAccounts: "bob:bob\ncarol:secret"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := beta.Start(); err != nil {
		t.Fatal(err)
	}
	defer beta.Close()
	alpha, err := smtpserver.NewLabRelay(lab.ServerOptions{Addr: "127.0.0.1:0", Tap: hub.Tap(hub.Registry().Lookup("smtp")),
		Settings: map[string]string{smtpserver.SettingInsecureAuth: smtpserver.On, smtpserver.SettingMaxSize: "1 KiB"}},
		smtpserver.LabOptions{
			Resolver:  func() string { return dnsAddr },
			RelayPort: func(d string) int { return map[string]int{"beta.test": port(beta.Addr().String())}[d] },
			RelayTap:  betaTap,
		})
	if err != nil {
		t.Fatal(err)
	}
	if err := alpha.Start(); err != nil {
		t.Fatal(err)
	}
	defer alpha.Shutdown(context.Background())

	c := dial(t, alpha.Addr().String())
	if ehlo := c.cmd(250, "EHLO x"); !strings.Contains(ehlo, "STARTTLS") || !strings.Contains(ehlo, "AUTH PLAIN") || !strings.Contains(ehlo, "SIZE 1024") {
		t.Errorf("EHLO = %q", ehlo)
	}
	c.cmd(235, "AUTH PLAIN %s", plain("alice", "alice"))
	c.cmd(250, "MAIL FROM:<alice@alpha.test>")
	c.cmd(250, "RCPT TO:<carol@beta.test>")
	c.cmd(354, "DATA")
	c.cmd(250, "Subject: hi Carol\r\n\r\nhi\r\n.")
	c.cmd(221, "QUIT")

	store, err := mailstore.Default(data, "beta.test")
	if err != nil {
		t.Fatal(err)
	}
	if msgs, _ := store.List("carol@beta.test", "INBOX"); len(msgs) != 1 {
		t.Errorf("carol's INBOX holds %d messages, want 1", len(msgs))
	}
	if _, err := os.Stat(mailstore.DefaultDir(data, "beta.test")); err != nil {
		t.Errorf("beta.test's mail is not kept in %s: %v", data, err)
	}
	for _, bad := range []map[string]string{
		{smtpserver.SettingDomain: "gamma.test"},
		{smtpserver.SettingAccounts: "nopassword"},
		{smtpserver.SettingStartTLS: "maybe"},
		{smtpserver.SettingMaxSize: "big"},
	} {
		if _, err := smtpserver.NewLab(lab.ServerOptions{Addr: "127.0.0.1:0", Settings: bad}); err == nil {
			t.Errorf("NewLab(%v) succeeded", bad)
		}
	}
}
