package tcpserver_test

import (
	"bufio"
	"fmt"
	"net"

	"github.com/protocollab/protolab/servers/tcpserver"
)

// A chat server on a free port: every line a client sends reaches every client.
func Example() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := tcpserver.New(tcpserver.Options{Mode: tcpserver.ModeChat})
	go srv.Serve(l)
	defer srv.Close()
	<-srv.Started()

	c, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "hello, everyone\n")
	line, _ := bufio.NewReader(c).ReadString('\n')
	fmt.Print(line)
	// Output: hello, everyone
}
