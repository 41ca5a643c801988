package pop3server_test

import (
	"fmt"
	"testing"

	"github.com/protocollab/protolab/clients/pop3client"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/pop3"
	"github.com/protocollab/protolab/servers/internal/servertest"
	"github.com/protocollab/protolab/servers/mailstore"
	"github.com/protocollab/protolab/servers/pop3server"
)

// BenchmarkRetr measures messages retrieved per second (RETR of a short
// message, each connection waiting for its answer before asking again) over 1
// and 50 connections, each logged in to a maildrop of its own (POP3 locks a
// maildrop to one session), with the capture off ("uncaptured") and on with the
// TCP and POP3 analyzers as the app runs them ("captured"; "captured-full"
// begins with the hub at its bound, as the capture runs once the lab has
// captured its first MaxBytes). An op is one
// message retrieved.
//
//	go test -run '^$' -bench Retr -benchtime 20000x ./servers/pop3server/
func BenchmarkRetr(b *testing.B) {
	for _, conns := range []int{1, 50} {
		for _, name := range []string{"uncaptured", "captured", "captured-full"} {
			b.Run(fmt.Sprintf("conns=%d/%s", conns, name), func(b *testing.B) {
				st, err := mailstore.Open(b.TempDir(), mailstore.DomainAlpha)
				if err != nil {
					b.Fatal(err)
				}
				accounts := make([]mailstore.Account, conns)
				for i := range accounts {
					accounts[i] = mailstore.Account{User: fmt.Sprint("user", i), Password: "lab"}
				}
				st.SetAccounts(accounts)
				for _, a := range accounts {
					if _, err := st.Deliver(a.User+"@alpha.test", mail(1)); err != nil {
						b.Fatal(err)
					}
				}
				opts := pop3server.Options{Stores: []*mailstore.Store{st}}
				var full *lab.Hub
				if name != "uncaptured" {
					hub := newHub()
					opts.Tap = hub.Tap(hub.Registry().Lookup(pop3.Name))
					if name == "captured-full" {
						full = hub
					}
				}
				_, addr, _ := startServer(b, opts)
				clients := make([]*pop3client.Client, conns)
				for i := range clients {
					clients[i] = dial(b, addr, nil, pop3client.Options{})
					if err := clients[i].Login(accounts[i].User, accounts[i].Password); err != nil {
						b.Fatal(err)
					}
				}
				want := len(mail(1))
				servertest.Exchanges(b, conns, full, func(i int) error {
					body, err := clients[i].Retr(1)
					if err == nil && len(body) != want {
						err = fmt.Errorf("RETR 1: %d bytes, want %d", len(body), want)
					}
					return err
				})
			})
		}
	}
}
