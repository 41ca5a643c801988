package httpserver_test

import (
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/protocollab/protolab/servers/httpserver"
)

func Example() {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := httpserver.New(httpserver.Options{})
	go srv.Serve(l)
	<-srv.Started()
	defer srv.Close()

	resp, err := http.Get("http://" + l.Addr().String() + "/redirect/2")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(resp.Status, ": ", string(body))
	// Output: 200 OK: arrived: the end of the redirect chain
}
