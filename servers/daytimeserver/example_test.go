package daytimeserver_test

import (
	"fmt"
	"io"
	"net"
	"time"

	"github.com/protocollab/protolab/servers/daytimeserver"
)

func Example() {
	srv, err := daytimeserver.New(daytimeserver.Options{
		Format: daytimeserver.FormatRFC3339,
		Now:    func() time.Time { return time.Date(2026, time.December, 5, 12, 0, 0, 0, time.UTC) },
	})
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
	answer, _ := io.ReadAll(c)
	fmt.Printf("%q\n", answer)
	// Output: "2026-12-05T12:00:00Z\r\n"
}
