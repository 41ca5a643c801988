package imapclient_test

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/protocollab/protolab/clients/imapclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/protocols/imap"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/imapserver"
	"github.com/protocollab/protolab/servers/mailstore"
)

func TestDialRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = imapclient.Dial(context.Background(), addr, imapclient.Options{})
	if err == nil || !strings.Contains(err.Error(), "start the IMAP server first") {
		t.Errorf("Dial to a closed port: %v", err)
	}
}

// TestStartTLSKeyLog: our client against our server, both tapped on one hub,
// is one conversation whose commands after STARTTLS the lab decrypts with the
// lab's key log.
func TestStartTLSKeyLog(t *testing.T) {
	st, err := mailstore.Open(t.TempDir(), mailstore.DomainAlpha)
	if err != nil {
		t.Fatal(err)
	}
	st.SetAccounts(mailstore.DefaultAccounts(mailstore.DomainAlpha))
	ca, err := labca.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Leaf()
	if err != nil {
		t.Fatal(err)
	}
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	reg.Register(imap.Protocol())
	hub := lab.NewHub(lab.HubOptions{Registry: reg})
	srv := imapserver.New(imapserver.Options{Stores: []*mailstore.Store{st}, TLS: imapserver.TLSConfig(cert), Tap: hub.Tap(reg.Lookup("imap"))})
	go srv.ListenAndServe("127.0.0.1:0")
	<-srv.Started()
	defer srv.Close()

	c, err := imapclient.Dial(context.Background(), srv.Addr().String(), imapclient.Options{
		Tap: hub.Tap(reg.Lookup("imap")), StartTLS: true, RootCAs: ca.Pool(), KeyLog: hub.Keys(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login("alice", "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Mailboxes(); err != nil {
		t.Fatal(err)
	}
	if err := c.Logout(); err != nil {
		t.Fatal(err)
	}
	hub.Settle()
	var n int
	var seen []string
	for _, ci := range hub.Conversations() {
		if ci.Protocol != "imap" {
			continue
		}
		n++
		for _, e := range hub.ConvEvents(ci.ID) {
			if e.Msg != nil && e.Layer == "imap" {
				seen = append(seen, e.Msg.Summary)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d IMAP conversations, want 1 seen from both ends", n)
	}
	all := strings.Join(seen, "\n")
	if !strings.Contains(all, "LOGIN alice ****") || !strings.Contains(all, `LIST "" "*"`) {
		t.Errorf("the commands after STARTTLS were not decrypted:\n%s", all)
	}
}
