package smtpserver_test

import (
	"context"
	"strings"
	"testing"

	"github.com/protocollab/protolab/clients/smtpclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/smtp"
	"github.com/protocollab/protolab/servers/dnsserver"
	"github.com/protocollab/protolab/servers/smtpserver"
)

// startDNS serves the lab's default zone on 127.0.0.1 until the test ends.
func startDNS(t *testing.T, hub *lab.Hub) string {
	t.Helper()
	pc, l, err := dnsserver.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := dnsserver.New(dnsserver.Options{})
	go srv.ServeUDP(pc)
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	<-srv.Started()
	return pc.LocalAddr().String()
}

// TestRelay sends from alice@alpha.test to bob@beta.test through alpha's server,
// which finds beta.test's MX at the lab DNS server and relays over SMTP with
// STARTTLS; the hub shows both conversations, the relay under the submission.
func TestRelay(t *testing.T) {
	hub := newHub()
	dnsAddr := startDNS(t, hub)
	_, ca := caFile(t)
	alphaStore, betaStore := newStore(t, "alpha.test"), newStore(t, "beta.test")
	betaTap := hub.Tap(hub.Registry().Lookup(smtp.BetaName))
	beta, betaAddr := startServer(t, smtpserver.Options{Store: betaStore, Tap: betaTap, TLS: tlsWithKeys(t, ca, hub)})
	_ = beta
	ports := map[string]int{"beta.test": port(betaAddr)}
	alphaTap := hub.Tap(hub.Registry().Lookup(smtp.Name))
	_, alphaAddr := startServer(t, smtpserver.Options{
		Store: alphaStore, Tap: alphaTap, TLS: tlsWithKeys(t, ca, hub),
		Resolver: dnsAddr, DNSTap: hub.Tap(hub.Registry().Lookup("dns")),
		RelayPort: func(d string) int { return ports[d] }, RelayTap: betaTap,
		RelayRootCAs: ca.Pool(), RelayKeyLog: hub.Keys(),
	})
	res, err := smtpclient.Send(context.Background(), alphaAddr, smtpclient.Options{
		Tap: alphaTap, User: "alice", Password: "alice", StartTLS: true,
		RootCAs: ca.Pool(), ServerName: "mail.alpha.test", KeyLog: hub.Keys(),
	}, smtpclient.Mail{From: "Alice <alice@alpha.test>", To: []string{"bob@beta.test"}, Subject: "Across domains", Body: "Hello Bob."})
	if err != nil {
		t.Fatalf("Send: %v (replies %q)", err, res.Replies)
	}
	if !res.TLS || res.Conv == 0 {
		t.Errorf("Send result = %+v", res)
	}
	msgs, err := betaStore.List("bob@beta.test", "INBOX")
	if err != nil || len(msgs) != 1 {
		t.Fatalf("bob's INBOX = %v, %v; want the relayed message", msgs, err)
	}
	raw, _ := betaStore.Fetch("bob@beta.test", "INBOX", msgs[0].UID)
	if s := string(raw); strings.Count(s, "Received: ") != 2 || !strings.Contains(s, "by mail.beta.test with ESMTPS id ") ||
		!strings.Contains(s, "by mail.alpha.test with ESMTPSA id ") || !strings.Contains(s, "Subject: Across domains") {
		t.Errorf("relayed message = %q", raw)
	}
	if st, _ := alphaStore.Status("alice@alpha.test", "INBOX"); st.Messages != 0 {
		t.Error("the message for beta.test was stored at alpha.test")
	}

	hub.Settle()
	var submit, relay lab.ConvInfo
	for _, ci := range hub.Conversations() {
		switch ci.Protocol {
		case smtp.Name:
			submit = ci
		case smtp.BetaName:
			relay = ci
		}
	}
	if relay.Link.Parent != submit.ID || relay.Link.Text() != "relay to beta.test" || submit.ID == 0 {
		t.Errorf("relay conversation %d under %d labelled %q; want under %d, \"relay to beta.test\"", relay.ID, relay.Link.Parent, relay.Link.Text(), submit.ID)
	}
	// With the key log, the commands inside TLS show on both.
	for _, ci := range []lab.ConvInfo{submit, relay} {
		var sums []string
		for _, e := range hub.ConvEvents(ci.ID) {
			if e.Kind == lab.KindMessage && e.Msg != nil && e.Layer == smtp.Name {
				sums = append(sums, e.Msg.Summary)
			}
		}
		all := strings.Join(sums, "\n")
		if !strings.Contains(all, "RCPT TO:<bob@beta.test>") || !strings.Contains(all, `"Across domains"`) {
			t.Errorf("conversation %d (%s) shows:\n%s", ci.ID, ci.Protocol, all)
		}
		if strings.Contains(all, "alice\x00alice") || strings.Contains(all, plain("alice", "alice")) {
			t.Errorf("a password shows in the summaries:\n%s", all)
		}
	}
}

func TestRelayTargetDown(t *testing.T) {
	_, addr := startServer(t, smtpserver.Options{Store: newStore(t, "alpha.test"), AllowInsecureAuth: true})
	c := dial(t, addr)
	c.cmd(250, "EHLO x")
	c.cmd(235, "AUTH PLAIN %s", plain("alice", "alice"))
	c.cmd(250, "MAIL FROM:<alice@alpha.test>")
	c.cmd(250, "RCPT TO:<bob@beta.test>")
	c.cmd(354, "DATA")
	if text := c.cmd(451, "Subject: x\r\n\r\nx\r\n."); !strings.Contains(text, "no SMTP server for beta.test is running") {
		t.Errorf("relay with beta down = %q", text)
	}
}
