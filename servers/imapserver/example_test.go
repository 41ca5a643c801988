package imapserver_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/protocollab/protolab/clients/imapclient"
	"github.com/protocollab/protolab/servers/imapserver"
	"github.com/protocollab/protolab/servers/mailstore"
)

// Example serves a store of alpha.test without TLS and reads alice's INBOX.
func Example() {
	dir, _ := os.MkdirTemp("", "imap-example")
	defer os.RemoveAll(dir)
	st, err := mailstore.Open(dir, "alpha.test")
	if err != nil {
		log.Fatal(err)
	}
	st.SetAccounts([]mailstore.Account{{User: "alice", Password: "alice"}})
	st.Deliver("alice@alpha.test", []byte("From: bob@beta.test\r\nSubject: Hello\r\n\r\nHi Alice.\r\n"))

	srv := imapserver.New(imapserver.Options{Stores: []*mailstore.Store{st}})
	go srv.ListenAndServe("127.0.0.1:0")
	<-srv.Started()
	defer srv.Close()

	c, err := imapclient.Dial(context.Background(), srv.Addr().String(), imapclient.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("alice", "alice"); err != nil {
		log.Fatal(err)
	}
	c.Select("INBOX")
	list, _ := c.List()
	for _, m := range list {
		fmt.Println(m.UID, m.From, m.Subject)
	}
	// Output: 1 bob@beta.test Hello
}
