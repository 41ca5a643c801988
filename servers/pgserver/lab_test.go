package pgserver

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
)

// TestLab starts the server as the lab does, with its settings, and again:
// what was committed is still there, in the lab's data folder.
func TestLab(t *testing.T) {
	labdirtest.Temp(t)
	start := func(settings map[string]string) (lab.Server, string) {
		srv, err := NewLab(lab.ServerOptions{Addr: "127.0.0.1:0", Settings: settings})
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		return srv, srv.Addr().String()
	}
	srv, addr := start(map[string]string{SettingAuth: AuthMD5, SettingTLS: Off})
	ctx := context.Background()
	c := pgxConnect(t, addr, "sslmode=disable", pgx.QueryExecModeCacheStatement)
	if _, err := c.Exec(ctx, "INSERT INTO courses (code, title) VALUES ($1, $2)", "LAB1", "Kept"); err != nil {
		t.Fatal(err)
	}
	if srv.Sessions() != 1 {
		t.Errorf("Sessions = %d, want 1", srv.Sessions())
	}
	c.Close(ctx)
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		t.Fatal(err)
	}

	srv, addr = start(nil)
	defer srv.Close()
	out := psql(t, conninfo(addr, "sslmode=require"), "SELECT title FROM courses WHERE code = 'LAB1';\n", nil)
	if !strings.Contains(out, "Kept") {
		t.Errorf("after a restart with TLS on: %q, want the row kept", out)
	}
	if _, err := NewLab(lab.ServerOptions{Addr: "127.0.0.1:0", Settings: map[string]string{SettingAuth: "trust"}}); err == nil {
		t.Error("an unknown password method was taken")
	}
}

// TestCloseEndsRunningQuery: Close does not wait for a long query.
func TestCloseEndsRunningQuery(t *testing.T) {
	srv, addr := testServer(t, Options{})
	c := pgxConnect(t, addr, "sslmode=disable", pgx.QueryExecModeSimpleProtocol)
	done := make(chan error, 1)
	go func() {
		_, err := c.Exec(context.Background(), "SELECT pg_sleep(600)")
		done <- err
	}()
	for running := false; !running; time.Sleep(time.Millisecond) {
		sleepers.Range(func(any, any) bool { running = true; return false }) // the statement runs
	}
	srv.Close()
	if err := <-done; err == nil {
		t.Error("the query ended without an error")
	}
}
