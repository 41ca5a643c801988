package udpserver_test

import (
	"fmt"
	"net"

	"github.com/protocollab/protolab/servers/udpserver"
)

// A UDP echo server on a free port: each datagram comes back unchanged.
func Example() {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := udpserver.New(udpserver.Options{})
	go srv.Serve(pc)
	defer srv.Close()
	<-srv.Started()

	c, err := net.Dial("udp", srv.Addr().String())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	c.Write([]byte("ping"))
	buf := make([]byte, 1500)
	n, _ := c.Read(buf)
	fmt.Printf("%s from a server with %d session\n", buf[:n], srv.Sessions())
	// Output: ping from a server with 1 session
}
