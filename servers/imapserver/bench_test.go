package imapserver_test

import (
	"fmt"
	"testing"

	"github.com/protocollab/protolab/clients/imapclient"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/imap"
	"github.com/protocollab/protolab/servers/imapserver"
	"github.com/protocollab/protolab/servers/internal/servertest"
	"github.com/protocollab/protolab/servers/mailstore"
)

// BenchmarkFetch measures messages fetched per second (UID FETCH of a short
// message's BODY[], each connection waiting for its answer before asking
// again) over 1 and 50 connections, each logged in as alice with her INBOX
// selected, with the capture off ("uncaptured") and on with the TCP and IMAP
// analyzers as the app runs them ("captured"; "captured-full" begins with the
// hub at its bound, as the capture runs once the lab has captured its first
// MaxBytes). An op is one message fetched.
//
//	go test -run '^$' -bench Fetch -benchtime 20000x ./servers/imapserver/
func BenchmarkFetch(b *testing.B) {
	for _, conns := range []int{1, 50} {
		for _, name := range []string{"uncaptured", "captured", "captured-full"} {
			b.Run(fmt.Sprintf("conns=%d/%s", conns, name), func(b *testing.B) {
				st := newStore(b, 1)
				uid := inbox(b, st)[0]
				opts := imapserver.Options{Stores: []*mailstore.Store{st}}
				var full *lab.Hub
				if name != "uncaptured" {
					hub := newHub()
					opts.Tap = hub.Tap(hub.Registry().Lookup(imap.Name))
					if name == "captured-full" {
						full = hub
					}
				}
				_, addr, _ := startServer(b, opts, nil)
				clients := make([]*imapclient.Client, conns)
				for i := range clients {
					clients[i] = dial(b, addr, nil, imapclient.Options{})
					if err := clients[i].Login("alice", "alice"); err != nil {
						b.Fatal(err)
					}
					if _, err := clients[i].Select("INBOX"); err != nil {
						b.Fatal(err)
					}
				}
				want := len(mail(1))
				servertest.Exchanges(b, conns, full, func(i int) error {
					body, err := clients[i].Fetch(uid)
					if err == nil && len(body) != want {
						err = fmt.Errorf("UID FETCH %d: %d bytes, want %d", uid, len(body), want)
					}
					return err
				})
			})
		}
	}
}
