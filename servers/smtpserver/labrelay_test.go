package smtpserver_test

import (
	"slices"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
	"github.com/protocollab/protolab/protocols/dns"
	"github.com/protocollab/protolab/protocols/smtp"
	"github.com/protocollab/protolab/servers/dnsserver"
	"github.com/protocollab/protolab/servers/mailstore"
	"github.com/protocollab/protolab/servers/smtpserver"
)

// TestBenchRelay starts the two SMTP servers and the lab DNS server on a bench,
// from their modules: each server finds the others through the bench, with no
// wiring of its own. The domains are swapped from their defaults, so the relay
// follows the domain setting, not the protocol's name.
func TestBenchRelay(t *testing.T) {
	data := labdirtest.Shared(t)
	reg := &lab.Registry{}
	reg.RegisterModules(
		lab.Module{Protocol: dns.Protocol(), Server: &dnsserver.Module},
		lab.Module{Protocol: smtp.Protocol(), Server: &smtpserver.Module},
		lab.Module{Protocol: smtp.BetaProtocol(), Server: &smtpserver.BetaModule},
	)
	if got := reg.Lookup(smtp.Name).Needs; !slices.Equal(got, []string{dns.ProtocolName, smtp.BetaName}) {
		t.Errorf("smtp needs %v", got)
	}
	b := lab.NewBench(lab.NewHub(lab.HubOptions{Registry: reg}), reg)
	t.Cleanup(b.StopAll)
	b.SetSetting(smtp.Name, smtpserver.SettingDomain, mailstore.DomainBeta)
	b.SetSetting(smtp.Name, smtpserver.SettingAccounts, "bob:bob")
	b.SetSetting(smtp.Name, smtpserver.SettingInsecureAuth, smtpserver.On)
	b.SetSetting(smtp.BetaName, smtpserver.SettingDomain, mailstore.DomainAlpha)
	b.SetSetting(smtp.BetaName, smtpserver.SettingAccounts, "alice:alice")
	for _, name := range []string{dns.ProtocolName, smtp.Name, smtp.BetaName} {
		b.SetPort(name, 0)
		if err := b.Start(name); err != nil {
			t.Fatalf("start %s: %v", name, err)
		}
	}

	c := dial(t, b.Addr(smtp.Name))
	c.cmd(250, "EHLO x")
	c.cmd(235, "AUTH PLAIN %s", plain("bob", "bob"))
	c.cmd(250, "MAIL FROM:<bob@beta.test>")
	c.cmd(250, "RCPT TO:<alice@alpha.test>")
	c.cmd(354, "DATA")
	c.cmd(250, "Subject: hi Alice\r\n\r\nhi\r\n.")
	c.cmd(221, "QUIT")

	store, err := mailstore.Default(data, mailstore.DomainAlpha)
	if err != nil {
		t.Fatal(err)
	}
	if msgs, _ := store.List("alice@alpha.test", mailstore.Inbox); len(msgs) != 1 {
		t.Errorf("alice's INBOX holds %d messages, want the 1 relayed", len(msgs))
	}
	h := b.Hub()
	h.Settle()
	var lookups, relays int
	for _, ci := range h.Conversations() {
		switch {
		case ci.Protocol == dns.ProtocolName:
			lookups++
		case ci.Protocol == smtp.BetaName && ci.Link.Kind == lab.LinkRelay:
			relays++
		}
	}
	if lookups == 0 || relays != 1 {
		t.Errorf("%d DNS lookups and %d relay conversations of %s captured, want some and 1", lookups, relays, smtp.BetaName)
	}
}
