package imapserver_test

import (
	"context"
	"strings"
	"testing"

	"github.com/protocollab/protolab/clients/imapclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
	"github.com/protocollab/protolab/protocols/imap"
	"github.com/protocollab/protolab/servers/imapserver"
	"github.com/protocollab/protolab/servers/mailstore"
)

// TestNewLab starts the server as the Bench does, over the stores OpenStore
// gives, and checks its settings; two clients side by side, one in IDLE, show in
// the hub with the idle state and both conversations seen from both ends.
func TestNewLab(t *testing.T) {
	labdirtest.Temp(t)
	alpha, beta := newStore(t, 1), (*mailstore.Store)(nil)
	var err error
	if beta, err = mailstore.Open(t.TempDir(), mailstore.DomainBeta); err != nil {
		t.Fatal(err)
	}
	beta.SetAccounts(mailstore.DefaultAccounts(mailstore.DomainBeta))
	prev := imapserver.OpenStore
	imapserver.OpenStore = func(domain string) (*mailstore.Store, error) {
		if domain == mailstore.DomainAlpha {
			return alpha, nil
		}
		return beta, nil
	}
	t.Cleanup(func() { imapserver.OpenStore = prev })

	if _, err := imapserver.NewLab(lab.ServerOptions{Addr: "127.0.0.1:0", Settings: map[string]string{"starttls": "maybe"}}); err == nil || !strings.Contains(err.Error(), "choose") {
		t.Errorf("NewLab with starttls=maybe: %v", err)
	}
	hub := newHub()
	tap := hub.Tap(hub.Registry().Lookup(imap.Name))
	srv, err := imapserver.NewLab(lab.ServerOptions{Addr: "127.0.0.1:0", Tap: tap, Settings: map[string]string{"starttls": "off"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	addr := srv.Addr().String()
	a := dial(t, addr, nil, imapclient.Options{Tap: tap})
	b := dial(t, addr, nil, imapclient.Options{Tap: tap})
	if err := a.Login("alice", "alice"); err != nil {
		t.Fatal(err)
	}
	// bob is beta.test's: the server serves both domains.
	if err := b.Login("bob", "bob"); err != nil {
		t.Fatalf("bob's login: %v", err)
	}
	// Each client has had its greeting, so each has its session.
	if srv.Sessions() != 2 {
		t.Errorf("Sessions = %d, want 2", srv.Sessions())
	}
	if err := b.Logout(); err != nil {
		t.Fatal(err)
	}
	b = dial(t, addr, nil, imapclient.Options{Tap: tap})
	if err := b.Login("alice@alpha.test", "alice"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*imapclient.Client{a, b} {
		if _, err := c.Select("INBOX"); err != nil {
			t.Fatal(err)
		}
	}
	got := make(chan imapclient.Update, 4)
	stop, err := a.Idle(func(u imapclient.Update) { got <- u })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Append("INBOX", mail(2)); err != nil {
		t.Fatal(err)
	}
	if u := <-got; u.Kind != imapclient.Exists || u.Messages != 2 {
		t.Errorf("update = %+v, want 2 EXISTS", u)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	a.Logout()
	b.Logout()
	ctx := context.Background()
	if err := srv.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown = %v", err)
	}

	hub.Settle()
	var idle bool
	for _, ci := range hub.Conversations() {
		if ci.Protocol != imap.Name {
			continue
		}
		if ci.ID == a.Conversation() {
			for _, e := range hub.ConvEvents(ci.ID) {
				idle = idle || e.Kind == lab.KindState && e.Layer == imap.Name && e.To == imap.StateIdle
			}
		}
	}
	if a.Conversation() == 0 || !idle {
		t.Errorf("client a's conversation %d: went idle %v", a.Conversation(), idle)
	}
}

// TestShutdownSaysBye: Shutdown tells a connected client BYE and returns once
// it has gone.
func TestShutdownSaysBye(t *testing.T) {
	st := newStore(t, 0)
	ca := newCA(t)
	srv, addr, _ := startServer(t, imapserver.Options{Stores: []*mailstore.Store{st}}, &ca)
	c := login(t, addr, ca, imapclient.Options{})
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown = %v", err)
	}
	if err := c.Noop(); err == nil {
		t.Error("NOOP after Shutdown succeeded")
	}
	if srv.Sessions() != 0 {
		t.Errorf("Sessions after Shutdown = %d", srv.Sessions())
	}
}
