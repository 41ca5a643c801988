package dnsserver_test

import (
	"context"
	"fmt"

	mdns "github.com/miekg/dns"

	"github.com/protocollab/protolab/clients/dnsclient"
	"github.com/protocollab/protolab/servers/dnsserver"
)

func Example() {
	pc, l, err := dnsserver.Listen("127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := dnsserver.New(dnsserver.Options{})
	go srv.ServeUDP(pc)
	go srv.Serve(l)
	defer srv.Close()
	<-srv.Started()

	res, err := dnsclient.Query(context.Background(), pc.LocalAddr().String(), "alpha.test", mdns.TypeMX, dnsclient.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.RcodeName, res.Answer[0].Value, res.Additional[0].Value)
	// Output: NOERROR 10 mail.alpha.test. 127.0.0.1
}
