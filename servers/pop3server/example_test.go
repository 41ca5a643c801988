package pop3server_test

import (
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/protocollab/protolab/servers/mailstore"
	"github.com/protocollab/protolab/servers/pop3server"
)

// A server for one domain, without TLS, so plain-text login is allowed.
func Example() {
	dir, _ := os.MkdirTemp("", "mail")
	defer os.RemoveAll(dir)
	st, _ := mailstore.Open(dir, "alpha.test")
	st.SetAccounts([]mailstore.Account{{User: "alice", Password: "alice"}})
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	srv := pop3server.New(pop3server.Options{Stores: []*mailstore.Store{st}})
	go srv.Serve(l)
	<-srv.Started()
	defer srv.Close()

	c, _ := net.Dial("tcp", l.Addr().String())
	defer c.Close()
	c.Write([]byte("USER alice\r\nPASS alice\r\nQUIT\r\n"))
	buf := make([]byte, 1024)
	var got []byte
	for !strings.Contains(string(got), "Goodbye") {
		n, err := c.Read(buf)
		if err != nil {
			break
		}
		got = append(got, buf[:n]...)
	}
	greeting, rest, _ := strings.Cut(string(got), "\r\n")
	fmt.Println(strings.TrimSpace(greeting[:strings.IndexByte(greeting, '<')]))
	fmt.Print(strings.ReplaceAll(rest, "\r\n", "\n"))
	// Output:
	// +OK Protocol Lab POP3 server ready
	// +OK Send the password for alice.
	// +OK alice@alpha.test's maildrop has 0 messages (0 octets)
	// +OK Goodbye: 0 messages deleted, 0 left.
}
