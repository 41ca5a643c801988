package redisserver_test

import (
	"context"
	"fmt"
	"net"

	goredis "github.com/redis/go-redis/v9"

	"github.com/protocollab/protolab/servers/redisserver"
)

// A Redis server on a free port of 127.0.0.1, and go-redis logged in as the
// lab's user.
func Example() {
	srv, err := redisserver.New(redisserver.Options{})
	if err != nil {
		panic(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go srv.Serve(l)
	defer srv.Close()

	ctx := context.Background()
	rdb := goredis.NewClient(&goredis.Options{Addr: l.Addr().String(), Username: "lab", Password: "lab"})
	defer rdb.Close()
	rdb.Set(ctx, "greeting", "hello", 0)
	fmt.Println(rdb.Get(ctx, "greeting").Val())
	// Output: hello
}
