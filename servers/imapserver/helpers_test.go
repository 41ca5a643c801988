package imapserver_test

import (
	"context"
	"fmt"
	"log"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/imapclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/protocols/imap"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/imapserver"
	"github.com/protocollab/protolab/servers/internal/servertest"
	"github.com/protocollab/protolab/servers/mailstore"
)

// newHub returns a hub that knows TCP and IMAP, as the app's does.
func newHub() *lab.Hub {
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	reg.Register(imap.Protocol())
	return lab.NewHub(lab.HubOptions{Registry: reg})
}

// mail is a test message from alice's correspondent.
func mail(n int) []byte {
	return fmt.Appendf(nil, "From: Bob <bob@beta.test>\r\nTo: alice@alpha.test\r\nSubject: Note %d\r\nDate: Mon, 02 Jun 2025 10:00:00 +0000\r\n\r\nHello %d.\r\nBye.\r\n", n, n)
}

// newStore returns a store of alpha.test in a temporary folder, with alice
// (password alice) and n messages in her INBOX.
func newStore(t testing.TB, n int) *mailstore.Store {
	t.Helper()
	st, err := mailstore.Open(t.TempDir(), mailstore.DomainAlpha)
	if err != nil {
		t.Fatal(err)
	}
	st.SetAccounts(mailstore.DefaultAccounts(mailstore.DomainAlpha))
	for i := 1; i <= n; i++ {
		if _, err := st.Deliver("alice@alpha.test", mail(i)); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// testCA is a lab CA in a temporary folder, its certificate exported as ca.pem.
type testCA struct {
	*labca.CA
	pem string
}

func newCA(t testing.TB) testCA {
	t.Helper()
	dir := t.TempDir()
	ca, err := labca.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	pem := filepath.Join(dir, "ca.pem")
	if err := ca.Export(pem); err != nil {
		t.Fatal(err)
	}
	return testCA{ca, pem}
}

// startServer serves opts on 127.0.0.1:0 until the test ends, and checks that
// Serve then returns ErrServerClosed. With ca, it offers STARTTLS with a
// certificate from it. Failed logins are answered without delay unless
// opts.AuthDelay says otherwise.
func startServer(t testing.TB, opts imapserver.Options, ca *testCA) (*imapserver.Server, string, *servertest.SyncBuffer) {
	t.Helper()
	logs := &servertest.SyncBuffer{}
	if opts.Log == nil {
		opts.Log = log.New(logs, "", 0)
	}
	if opts.AuthDelay == 0 {
		opts.AuthDelay = -1
	}
	if ca != nil {
		cert, err := ca.Leaf()
		if err != nil {
			t.Fatal(err)
		}
		opts.TLS = imapserver.TLSConfig(cert)
	}
	srv := imapserver.New(opts)
	return srv, servertest.Start(t, srv, imapserver.ErrServerClosed), logs
}

// dial connects our client to addr, with STARTTLS when ca is non-nil.
func dial(t testing.TB, addr string, ca *testCA, opts imapclient.Options) *imapclient.Client {
	t.Helper()
	if ca != nil {
		opts.StartTLS, opts.RootCAs = true, ca.Pool()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := imapclient.Dial(ctx, addr, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// login dials addr over STARTTLS, logs alice in and selects INBOX.
func login(t testing.TB, addr string, ca testCA, opts imapclient.Options) *imapclient.Client {
	t.Helper()
	c := dial(t, addr, &ca, opts)
	if err := c.Login("alice", "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX"); err != nil {
		t.Fatal(err)
	}
	return c
}

// need returns the path of program, or skips the test naming the apt package.
func need(t testing.TB, program, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(program)
	if err != nil {
		t.Skipf("%s is not installed (apt package %s)", program, pkg)
	}
	return p
}

// inbox returns the UIDs in alice's INBOX.
func inbox(t testing.TB, st *mailstore.Store) []uint32 {
	t.Helper()
	msgs, err := st.List("alice@alpha.test", mailstore.Inbox)
	if err != nil {
		t.Fatal(err)
	}
	var uids []uint32
	for _, m := range msgs {
		uids = append(uids, m.UID)
	}
	return uids
}

// messages returns the summaries of the hub's IMAP messages, by conversation,
// in order, each prefixed by its layer when it is not "imap".
func messages(hub *lab.Hub) [][]lab.Event {
	hub.Settle()
	var out [][]lab.Event
	for _, ci := range hub.Conversations() {
		if ci.Protocol != "imap" {
			continue
		}
		var evs []lab.Event
		for _, e := range hub.ConvEvents(ci.ID) {
			if e.Msg != nil || e.Kind == lab.KindState {
				evs = append(evs, e)
			}
		}
		out = append(out, evs)
	}
	return out
}

func summaries(evs []lab.Event, layer string) string {
	var s []string
	for _, e := range evs {
		if e.Msg != nil && e.Layer == layer {
			s = append(s, e.Msg.Summary)
		}
	}
	return strings.Join(s, "\n")
}
