package pgserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// pgxConnect connects pgx to addr as lab/lab, with extra conninfo.
func pgxConnect(t testing.TB, addr, extra string, mode pgx.QueryExecMode) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(conninfo(addr, extra))
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = mode
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

var modes = []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeDescribeExec, pgx.QueryExecModeExec, pgx.QueryExecModeSimpleProtocol}

func TestPgxAuthMethods(t *testing.T) {
	for _, auth := range []string{AuthSCRAM, AuthMD5, AuthCleartext} {
		t.Run(auth, func(t *testing.T) {
			srv, addr := testServer(t, Options{Auth: auth})
			var mu sync.Mutex
			var failures []int
			srv.guard.Observe(func(n int, _ time.Duration) {
				mu.Lock()
				failures = append(failures, n)
				mu.Unlock()
			})
			c := pgxConnect(t, addr, "sslmode=disable", pgx.QueryExecModeCacheStatement)
			var name string
			if err := c.QueryRow(context.Background(), "SELECT name FROM students WHERE id = $1", 2).Scan(&name); err != nil || name != "Alan Turing" {
				t.Errorf("name = %q, %v; want Alan Turing", name, err)
			}
			cfg, _ := pgx.ParseConfig(conninfo(addr, "sslmode=disable"))
			cfg.Password = "wrong"
			_, err := pgx.ConnectConfig(context.Background(), cfg)
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != "28P01" {
				t.Errorf("a wrong password: %v, want 28P01", err)
			}
			cfg.User, cfg.Password = "root", "lab"
			_, err = pgx.ConnectConfig(context.Background(), cfg)
			if !errors.As(err, &pe) || pe.Code != "28P01" {
				t.Errorf("a wrong user: %v, want 28P01", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if fmt.Sprint(failures) != "[1 2]" {
				t.Errorf("failures counted for the delay: %v, want [1 2]", failures)
			}
		})
	}
}

// TestPgxTypes writes and reads back a value of every type the server maps,
// in each of pgx's modes: binary parameters and results in the extended
// ones, text in the simple protocol.
func TestPgxTypes(t *testing.T) {
	_, addr := testServer(t, Options{})
	ctx := context.Background()
	for i, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			c := pgxConnect(t, addr, "sslmode=disable", mode)
			table := fmt.Sprintf("types%d", i)
			if _, err := c.Exec(ctx, "CREATE TABLE "+table+" (i4 INT4, i8 BIGINT, f FLOAT8, b BOOLEAN, by BYTEA, ts TIMESTAMP, tx TEXT, n NUMERIC(5,2))"); err != nil {
				t.Fatal(err)
			}
			ts := time.Date(2025, 3, 14, 15, 9, 26, 535000000, time.UTC)
			tag, err := c.Exec(ctx, "INSERT INTO "+table+" (i4, i8, f, b, by, ts, tx, n) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
				int32(-7), int64(1)<<40, 2.5, true, []byte{0, 1, 0xfe}, ts, "héllo", "3.14")
			if err != nil || tag.String() != "INSERT 0 1" {
				t.Fatalf("INSERT: %v, %v", tag, err)
			}
			if _, err := c.Exec(ctx, "INSERT INTO "+table+" (i4) VALUES (NULL)"); err != nil {
				t.Fatal(err)
			}
			var (
				i4 int32
				i8 int64
				f  float64
				b  bool
				by []byte
				gt time.Time
				tx string
				n  string
			)
			err = c.QueryRow(ctx, "SELECT i4, i8, f, b, by, ts, tx, n FROM "+table+" WHERE i8 = $1", int64(1)<<40).Scan(&i4, &i8, &f, &b, &by, &gt, &tx, &n)
			if err != nil {
				t.Fatal(err)
			}
			if i4 != -7 || i8 != 1<<40 || f != 2.5 || !b || !bytes.Equal(by, []byte{0, 1, 0xfe}) || !gt.Equal(ts) || tx != "héllo" || n != "3.14" {
				t.Errorf("read back %v %v %v %v %x %v %q %q", i4, i8, f, b, by, gt, tx, n)
			}
			var null *int64
			var nullText *string
			if err := c.QueryRow(ctx, "SELECT i8, tx FROM "+table+" WHERE i4 IS NULL").Scan(&null, &nullText); err != nil || null != nil || nullText != nil {
				t.Errorf("NULLs read as %v %v, %v", null, nullText, err)
			}
			var one int64
			var half float64
			var s string
			if err := c.QueryRow(ctx, "SELECT 1, 0.5, 'x'").Scan(&one, &half, &s); err != nil || one != 1 || half != 0.5 || s != "x" {
				t.Errorf("SELECT 1, 0.5, 'x' = %v %v %q, %v", one, half, s, err)
			}
		})
	}
}

func TestPgxErrors(t *testing.T) {
	_, addr := testServer(t, Options{})
	ctx := context.Background()
	for _, mode := range modes {
		t.Run(mode.String(), func(t *testing.T) {
			c := pgxConnect(t, addr, "sslmode=disable", mode)
			for _, tc := range []struct{ sql, code string }{
				{"INSERT INTO students (name, email) VALUES ('A', 'ada@lab.test')", "23505"},
				{"INSERT INTO students (email) VALUES ('new@lab.test')", "23502"},
				{"SELEC 1", "42601"},
				{"SELECT * FROM nowhere", "42P01"},
				{"SELECT nosuchcolumn FROM students", "42703"},
			} {
				_, err := c.Exec(ctx, tc.sql)
				var pe *pgconn.PgError
				if !errors.As(err, &pe) || pe.Code != tc.code {
					t.Errorf("%s: %v, want SQLSTATE %s", tc.sql, err, tc.code)
				}
			}
			// A failed transaction block: 25P02 until ROLLBACK.
			tx, err := c.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(ctx, "SELECT * FROM nowhere"); err == nil {
				t.Fatal("no error from a missing table")
			}
			_, err = tx.Exec(ctx, "SELECT 1")
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != "25P02" {
				t.Errorf("in a failed transaction: %v, want 25P02", err)
			}
			if got := c.PgConn().TxStatus(); got != 'E' {
				t.Errorf("transaction status %c, want E", got)
			}
			tx.Rollback(ctx)
			if got := c.PgConn().TxStatus(); got != 'I' {
				t.Errorf("after ROLLBACK: transaction status %c, want I", got)
			}
		})
	}
}

func TestPgxTransactions(t *testing.T) {
	_, addr := testServer(t, Options{})
	ctx := context.Background()
	a := pgxConnect(t, addr, "sslmode=disable", pgx.QueryExecModeCacheStatement)
	b := pgxConnect(t, addr, "sslmode=disable", pgx.QueryExecModeCacheStatement)
	tx, err := a.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "UPDATE courses SET credits = credits + 1 WHERE code = $1", "NET101"); err != nil {
		t.Fatal(err)
	}
	if a.PgConn().TxStatus() != 'T' {
		t.Errorf("status %c in a transaction, want T", a.PgConn().TxStatus())
	}
	var credits int
	b.QueryRow(ctx, "SELECT credits FROM courses WHERE code = 'NET101'").Scan(&credits)
	if credits != 6 {
		t.Errorf("another session sees %d credits before COMMIT, want 6", credits)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	b.QueryRow(ctx, "SELECT credits FROM courses WHERE code = 'NET101'").Scan(&credits)
	if credits != 7 {
		t.Errorf("another session sees %d credits after COMMIT, want 7", credits)
	}
}
