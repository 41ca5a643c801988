package ftpserver_test

import (
	"fmt"
	"net"
	"os"

	"github.com/protocollab/protolab/servers/ftpserver"
)

// A server for one folder: "lab" (password "lab") may write, anonymous may read.
func Example() {
	root, _ := os.MkdirTemp("", "ftproot")
	defer os.RemoveAll(root)
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	srv := ftpserver.New(ftpserver.Options{Root: root})
	go srv.Serve(l)
	<-srv.Started()
	defer srv.Close()

	c, _ := net.Dial("tcp", l.Addr().String())
	defer c.Close()
	greeting := make([]byte, 64)
	n, _ := c.Read(greeting)
	fmt.Printf("%s", greeting[:n])
	// Output: 220 Protocol Lab FTP server ready
}
