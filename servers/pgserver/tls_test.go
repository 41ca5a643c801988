package pgserver

import (
	"context"
	"crypto/tls"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestTLS(t *testing.T) {
	cfg, caFile := labTLS(t)
	_, addr := testServer(t, Options{TLS: cfg})
	out := psql(t, conninfo(addr, "sslmode=verify-full sslrootcert="+caFile), "\\conninfo\nSELECT count(*) FROM courses;\n", nil)
	for _, want := range []string{"SSL connection (protocol: TLSv1.3", "3\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("psql sslmode=verify-full printed %q, want %q in it", out, want)
		}
	}
	out = psql(t, conninfo(addr, "sslmode=require"), "\\conninfo\n", []string{"PGSSLROOTCERT=" + caFile})
	if !strings.Contains(out, "SSL connection") {
		t.Errorf("psql sslmode=require printed %q, want an SSL connection", out)
	}
	c := pgxConnect(t, addr, "sslmode=verify-full sslrootcert="+caFile, pgx.QueryExecModeCacheStatement)
	if _, ok := c.PgConn().Conn().(*tls.Conn); !ok {
		t.Errorf("pgx's connection is a %T, want TLS", c.PgConn().Conn())
	}
	var n int
	if err := c.QueryRow(context.Background(), "SELECT count(*) FROM students WHERE active = $1", true).Scan(&n); err != nil || n != 3 {
		t.Errorf("active students = %d, %v; want 3", n, err)
	}
}

// TestTLSOff: SSLRequest is answered 'N'; sslmode=prefer goes on in clear
// text, sslmode=require gives up.
func TestTLSOff(t *testing.T) {
	_, addr := testServer(t, Options{})
	if out := psql(t, conninfo(addr, "sslmode=prefer"), "\\conninfo\n", nil); !strings.Contains(out, `You are connected to database "lab"`) || strings.Contains(out, "SSL connection") {
		t.Errorf("psql sslmode=prefer printed %q, want a connection without SSL", out)
	}
	if out := psql(t, conninfo(addr, "sslmode=require"), "\\conninfo\n", nil); !strings.Contains(out, "server does not support SSL") {
		t.Errorf("psql sslmode=require printed %q, want it refused", out)
	}
}
