package wire_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/clients/imapclient"
	"github.com/protocollab/protolab/clients/pop3client"
	"github.com/protocollab/protolab/clients/smtpclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
	"github.com/protocollab/protolab/labfile/export"
)

// TestMailEndToEnd is the mail lesson on the app's own bench: alice sends to
// bob@beta.test through alpha's SMTP server, which looks up beta's MX at the lab
// DNS and relays; bob's IMAP client, idling, is told of the new mail at once; a
// POP3 client downloads and deletes it, and IMAP sees it go.
func TestMailEndToEnd(t *testing.T) {
	dir := labdirtest.Shared(t)
	b := wire.NewBench(lab.HubOptions{})
	for _, p := range b.Registry().All() {
		b.SetPort(p.Name, 0)
	}
	t.Cleanup(b.StopAll)
	for _, name := range []string{"dns", "smtp", "smtp-beta", "pop3", "imap"} {
		if err := b.Start(name); err != nil {
			t.Fatalf("start %s: %v", name, err)
		}
	}
	ca, err := labca.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := b.Hub()
	reg := b.Registry()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	im, err := imapclient.Dial(ctx, b.Status("imap").Addr, imapclient.Options{Tap: h.Tap(reg.Lookup("imap")), StartTLS: true, RootCAs: ca.Pool(), KeyLog: h.Keys()})
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	if err := im.Login("bob@beta.test", "bob"); err != nil {
		t.Fatal(err)
	}
	sel, err := im.Select("INBOX")
	if err != nil {
		t.Fatal(err)
	}
	news := make(chan imapclient.Update, 16)
	stopIdle, err := im.Idle(func(u imapclient.Update) { news <- u })
	if err != nil {
		t.Fatal(err)
	}

	res, err := smtpclient.Send(ctx, b.Status("smtp").Addr, smtpclient.Options{
		Tap: h.Tap(reg.Lookup("smtp")), User: "alice", Password: "alice", StartTLS: true, RootCAs: ca.Pool(), KeyLog: h.Keys(),
	}, smtpclient.Mail{From: "alice@alpha.test", To: []string{"bob@beta.test"}, Subject: "across the lab", Body: "Hello Bob, from alpha to beta."})
	if err != nil {
		t.Fatalf("send: %v (replies %q)", err, res.Replies)
	}
	select {
	case u := <-news:
		if u.Kind != imapclient.Exists || u.Messages != sel.Messages+1 {
			t.Errorf("IDLE update %+v, want EXISTS %d", u, sel.Messages+1)
		}
	case <-ctx.Done():
		t.Fatal("the idling IMAP client was not told of the relayed mail")
	}
	if err := stopIdle(); err != nil {
		t.Fatal(err)
	}
	list, err := im.List()
	if err != nil || len(list) == 0 || list[len(list)-1].Subject != "across the lab" {
		t.Fatalf("IMAP list %+v (%v), want the relayed mail last", list, err)
	}

	pop, err := pop3client.Dial(ctx, b.Status("pop3").Addr, pop3client.Options{Tap: h.Tap(reg.Lookup("pop3")), StartTLS: true, RootCAs: ca.Pool(), KeyLog: h.Keys()})
	if err != nil {
		t.Fatal(err)
	}
	if err := pop.Login("bob@beta.test", "bob"); err != nil {
		t.Fatal(err)
	}
	n, _, err := pop.Stat()
	if err != nil || n != len(list) {
		t.Fatalf("POP3 STAT = %d (%v), want the %d messages IMAP lists", n, err, len(list))
	}
	raw, err := pop.Retr(n)
	if err != nil || !strings.Contains(string(raw), "Hello Bob, from alpha to beta.") {
		t.Fatalf("RETR %d: %v\n%s", n, err, raw)
	}
	if err := pop.Dele(n); err != nil {
		t.Fatal(err)
	}
	if err := pop.Quit(); err != nil {
		t.Fatal(err)
	}
	if err := im.Noop(); err != nil {
		t.Fatal(err)
	}
	after, err := im.List()
	if err != nil || len(after) != len(list)-1 {
		t.Fatalf("IMAP lists %d messages after POP3 deleted one of %d (%v)", len(after), len(list), err)
	}

	// The inspector's view: the relay is a conversation of its own, linked under
	// the one that brought the mail in, and both read inside TLS.
	h.Settle()
	var smtpConv, relay lab.ConvInfo
	for _, ci := range h.Conversations() {
		switch {
		case ci.ID == res.Conv:
			smtpConv = ci
		case ci.Protocol == "smtp-beta" && strings.Contains(ci.Link.Text(), "relay"):
			relay = ci
		}
	}
	if relay.ID == 0 || relay.Link.Parent != smtpConv.ID {
		t.Errorf("relay conversation %+v, want one under the submission #%d", relay, smtpConv.ID)
	}
	var decrypted int
	for _, e := range h.ConvEvents(relay.ID) {
		if e.Kind == lab.KindMessage && e.Layer == "smtp" && e.Msg != nil && strings.HasPrefix(e.Msg.Summary, "RCPT TO") {
			decrypted++
		}
	}
	if decrypted == 0 {
		t.Error("the relay's RCPT TO is not shown: its TLS was not decrypted")
	}

	// The mail, read from decrypted captures, for .eml export: as alice sent it,
	// as alpha relayed it, and as POP3 handed it over.
	sources := map[string]int{}
	for _, m := range export.Mails(h.Registry(), h.Conversations(), h.Events(0)) {
		if strings.Contains(string(m.Raw), "Hello Bob, from alpha to beta.") && m.Complete {
			sources[m.Source.String()]++
		}
	}
	if sources["smtp"] < 2 || sources["pop3"] != 1 {
		t.Errorf("mails found in the capture by source: %v; want SMTP's two (submission, relay) and POP3's one", sources)
	}
}
