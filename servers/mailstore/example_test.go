package mailstore_test

import (
	"fmt"
	"os"

	"github.com/protocollab/protolab/servers/mailstore"
)

func Example() {
	dir, _ := os.MkdirTemp("", "mail")
	defer os.RemoveAll(dir)
	s, _ := mailstore.Open(dir, "alpha.test")
	s.SetAccounts([]mailstore.Account{{User: "alice", Password: "alice"}})

	s.Deliver("alice@alpha.test", []byte("Subject: hello\r\n\r\nHi Alice.\r\n"))
	user, _ := s.Authenticate("alice", "alice")
	msgs, _ := s.List(user, "INBOX")
	s.StoreFlags(user, "INBOX", []uint32{msgs[0].UID}, mailstore.FlagsAdd, []string{mailstore.FlagSeen})
	st, _ := s.Status(user, "INBOX")
	fmt.Println(user, st.Messages, st.Unseen, st.UIDNext)
	// Output: alice@alpha.test 1 0 2
}
