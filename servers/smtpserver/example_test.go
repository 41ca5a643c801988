package smtpserver_test

import (
	"context"
	"fmt"
	"net"
	"os"

	"github.com/protocollab/protolab/clients/smtpclient"
	"github.com/protocollab/protolab/servers/mailstore"
	"github.com/protocollab/protolab/servers/smtpserver"
)

func Example() {
	dir, _ := os.MkdirTemp("", "mail")
	defer os.RemoveAll(dir)
	store, _ := mailstore.Open(dir, "alpha.test")
	store.SetAccounts([]mailstore.Account{{User: "alice", Password: "alice"}})

	l, _ := net.Listen("tcp", "127.0.0.1:0")
	srv := smtpserver.New(smtpserver.Options{Store: store})
	go srv.Serve(l)
	defer srv.Close()
	<-srv.Started()

	_, err := smtpclient.Send(context.Background(), l.Addr().String(), smtpclient.Options{},
		smtpclient.Mail{From: "bob@beta.test", To: []string{"alice@alpha.test"}, Subject: "Hello", Body: "Hi Alice."})
	fmt.Println(err)
	st, _ := store.Status("alice@alpha.test", "INBOX")
	fmt.Println(st.Messages, "message in alice's INBOX")
	// Output:
	// <nil>
	// 1 message in alice's INBOX
}
