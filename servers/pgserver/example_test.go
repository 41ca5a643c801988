package pgserver_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/jackc/pgx/v5"

	"github.com/protocollab/protolab/servers/pgserver"
)

// Serve a new database on a free port and ask it with pgx.
func Example() {
	dir, _ := os.MkdirTemp("", "pgserver-example")
	defer os.RemoveAll(dir)
	db, err := pgserver.OpenDB(filepath.Join(dir, "lab.sqlite"))
	if err != nil {
		panic(err)
	}
	defer db.Close()
	srv, _ := pgserver.New(pgserver.Options{DB: db})
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(l)
	defer srv.Close()

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, "postgres://lab:lab@"+l.Addr().String()+"/lab?sslmode=disable")
	if err != nil {
		panic(err)
	}
	defer conn.Close(ctx)
	var title string
	conn.QueryRow(ctx, "SELECT title FROM courses WHERE code = $1", "NET101").Scan(&title)
	fmt.Println(title)
	// Output: Computer Networks
}
