package pop3server_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"log"
	"path/filepath"
	"testing"
	"time"

	"github.com/protocollab/protolab/clients/pop3client"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/protocols/pop3"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/internal/servertest"
	"github.com/protocollab/protolab/servers/mailstore"
	"github.com/protocollab/protolab/servers/pop3server"
)

// newHub returns a hub that knows TCP and POP3, as the app's does.
func newHub() *lab.Hub {
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	reg.Register(pop3.Protocol())
	return lab.NewHub(lab.HubOptions{Registry: reg})
}

// mail is a test message from alice's correspondent; a line begins with a dot.
func mail(n int) []byte {
	return fmt.Appendf(nil, "From: Bob <bob@beta.test>\r\nTo: alice@alpha.test\r\nSubject: Note %d\r\n\r\nHello %d.\r\n.A line that begins with a dot.\r\nBye.\r\n", n, n)
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

// serverTLS is the server's STLS configuration with a certificate from ca.
func (ca testCA) serverTLS(t testing.TB) *tls.Config {
	t.Helper()
	cert, err := ca.Leaf()
	if err != nil {
		t.Fatal(err)
	}
	return pop3server.TLSConfig(cert)
}

// startServer serves opts on 127.0.0.1:0 until the test ends, and checks that
// Serve then returns ErrServerClosed. Failed logins are answered without delay
// unless opts.AuthDelay says otherwise.
func startServer(t testing.TB, opts pop3server.Options) (*pop3server.Server, string, *servertest.SyncBuffer) {
	t.Helper()
	logs := &servertest.SyncBuffer{}
	if opts.Log == nil {
		opts.Log = log.New(logs, "", 0)
	}
	if opts.AuthDelay == 0 {
		opts.AuthDelay = -1
	}
	srv := pop3server.New(opts)
	return srv, servertest.Start(t, srv, pop3server.ErrServerClosed), logs
}

// dial connects our client to addr, with STLS when ca is non-nil.
func dial(t testing.TB, addr string, ca *testCA, opts pop3client.Options) *pop3client.Client {
	t.Helper()
	if ca != nil {
		opts.StartTLS, opts.RootCAs = true, ca.Pool()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pop3client.Dial(ctx, addr, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
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
