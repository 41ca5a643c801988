package brokerserver_test

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/protocollab/protolab/servers/brokerserver"
)

// A broker with its NATS listener, and a NATS session typed as with nc.
func Example() {
	store, err := os.MkdirTemp("", "broker-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(store)
	b, err := brokerserver.NewBroker(brokerserver.BrokerOptions{StoreDir: store})
	if err != nil {
		panic(err)
	}
	defer b.Close()
	srv, err := brokerserver.New(brokerserver.Options{Broker: b, Protocol: brokerserver.NATS})
	if err != nil {
		panic(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go srv.Serve(l)
	defer srv.Close()

	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	info, _ := r.ReadString('\n')
	fmt.Println(strings.SplitN(info, " ", 2)[0])
	fmt.Fprint(c, "CONNECT {\"verbose\":false}\r\nSUB lab.sensors.* 1\r\nPUB lab.sensors.t1 4\r\n21.5\r\nPING\r\n")
	for range 3 {
		line, _ := r.ReadString('\n')
		fmt.Print(strings.ReplaceAll(line, "\r\n", "\n"))
	}
	// Output:
	// INFO
	// MSG lab.sensors.t1 1 4
	// 21.5
	// PONG
}
