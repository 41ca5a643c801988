package pgserver

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// childEnv, set to a database file, makes the test binary a server of that
// file (childMain) instead of running tests: the process the kill test kills.
const childEnv = "PGSERVER_TEST_CHILD_DB"

// childMain serves the database named by childEnv on 127.0.0.1:0 and prints
// the address, then serves until it is killed.
func childMain() int {
	db, err := OpenDB(os.Getenv(childEnv))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	srv, err := New(Options{DB: db, Auth: AuthCleartext})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(l.Addr())
	srv.Serve(l)
	return 0
}

// TestKillDuringWrite kills the server's process while a large write is
// under way in a transaction, then checks that the database is whole
// (PRAGMA integrity_check) and holds exactly what was committed.
func TestKillDuringWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	path := filepath.Join(t.TempDir(), "lab.sqlite")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("the server process: %v", err)
	}
	ctx := context.Background()
	c := pgxConnect(t, addr[:len(addr)-1], "sslmode=disable", pgx.QueryExecModeCacheStatement)
	if _, err := c.Exec(ctx, "CREATE TABLE log (id INTEGER PRIMARY KEY, body TEXT)"); err != nil {
		t.Fatal(err)
	}
	const committed = 50
	for i := range committed {
		if _, err := c.Exec(ctx, "INSERT INTO log (body) VALUES ($1)", fmt.Sprintf("row %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := c.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO log (body) VALUES ('uncommitted')"); err != nil {
		t.Fatal(err)
	}
	// A write of many pages that goes on for a while, killed as it runs.
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		tx.Exec(ctx, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000000) INSERT INTO log (body) SELECT printf('%.500c', 'x') FROM n")
	}()
	time.Sleep(300 * time.Millisecond) // not an assertion: the kill comes during the write or just before it
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	<-wrote // the connection broke

	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v; want ok", check, err)
	}
	var n int
	if err := db.QueryRow("SELECT count(*) FROM log").Scan(&n); err != nil || n != committed {
		t.Errorf("%d rows after the kill, %v; want the %d committed", n, err, committed)
	}
}
