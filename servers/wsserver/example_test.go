package wsserver_test

import (
	"context"
	"fmt"
	"net"

	"github.com/protocollab/protolab/clients/wsclient"
	"github.com/protocollab/protolab/servers/wsserver"
)

// Example runs the server on a free port and echoes one message.
func Example() {
	srv := wsserver.New(wsserver.Options{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go srv.Serve(l)
	<-srv.Started()
	defer srv.Close()

	c, err := wsclient.Dial(context.Background(), "ws://"+srv.Addr().String()+"/ws/echo", wsclient.Options{Subprotocols: []string{"echo"}})
	if err != nil {
		panic(err)
	}
	c.SendText("hello")
	m := <-c.Receive()
	fmt.Println(c.Subprotocol(), m.Kind, string(m.Data))
	c.Close(1000, "bye")
	// Output: echo text hello
}
