package pgclient_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/protocollab/protolab/clients/pgclient"
	"github.com/protocollab/protolab/servers/pgserver"
)

// Run two statements in one Query against the lab's server and read what
// each gave.
func Example() {
	dir, _ := os.MkdirTemp("", "pgclient-example")
	defer os.RemoveAll(dir)
	db, _ := pgserver.OpenDB(filepath.Join(dir, "lab.sqlite"))
	defer db.Close()
	srv, _ := pgserver.New(pgserver.Options{DB: db})
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(l)
	defer srv.Close()

	ctx := context.Background()
	c, err := pgclient.Connect(ctx, l.Addr().String(), pgclient.Options{})
	if err != nil {
		panic(err)
	}
	defer c.Close(ctx)
	r, _ := c.Run(ctx, "UPDATE courses SET credits = credits + 1; SELECT code, credits FROM courses ORDER BY code", pgclient.Simple)
	fmt.Println(r.Results[0].Tag, r.Results[0].RowsAffected)
	var cols []string
	for _, col := range r.Results[1].Columns {
		cols = append(cols, col.Name+":"+col.Type)
	}
	fmt.Println(strings.Join(cols, " "))
	for _, row := range r.Results[1].Rows {
		fmt.Println(*row[0], *row[1])
	}
	fmt.Println(r.TxStatus)
	// Output:
	// UPDATE 3 3
	// code:text credits:int4
	// DB201 6
	// NET101 7
	// SEC301 5
	// idle
}
