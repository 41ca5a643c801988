package pgserver

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/protocollab/protolab/lab"
)

// TestCancel cancels a long pg_sleep from a second connection, as pgx's
// CancelRequest sends it, while a third session goes on being served; the
// cancel request's conversation is linked to the one it cancelled.
func TestCancel(t *testing.T) {
	hub, tap := newHub()
	_, addr := testServer(t, Options{Tap: tap})
	ctx := context.Background()
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheStatement} {
		t.Run(mode.String(), func(t *testing.T) {
			c := pgxConnect(t, addr, "sslmode=disable", mode)
			other := pgxConnect(t, addr, "sslmode=disable", mode)
			done := make(chan error, 1)
			go func() {
				_, err := c.Exec(ctx, "SELECT pg_sleep($1)", 60)
				done <- err
			}()
			// Another session is served while the sleep runs.
			var n int
			if err := other.QueryRow(ctx, "SELECT count(*) FROM students").Scan(&n); err != nil || n != 4 {
				t.Errorf("another session: %d, %v", n, err)
			}
			var err error
			var wg sync.WaitGroup
		loop:
			for {
				// A cancel that comes before the query starts cancels nothing: send
				// again until the query ends.
				wg.Add(1)
				go func() {
					defer wg.Done()
					c.PgConn().CancelRequest(ctx)
				}()
				select {
				case err = <-done:
					break loop
				case <-time.After(100 * time.Millisecond):
				}
			}
			wg.Wait()
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != "57014" {
				t.Fatalf("the cancelled query: %v, want 57014", err)
			}
			if err := c.QueryRow(ctx, "SELECT 1").Scan(&n); err != nil || n != 1 {
				t.Errorf("after the cancel: %d, %v", n, err)
			}
		})
	}
	hub.Settle()
	linked := 0
	convs := map[lab.ConvID]bool{}
	for _, ci := range hub.Conversations() {
		convs[ci.ID] = true
	}
	for _, ci := range hub.Conversations() {
		if ci.Link.Kind == lab.LinkCancel {
			linked++
			if !convs[ci.Link.Parent] || ci.Link.Parent == ci.ID {
				t.Errorf("cancel conversation %d is linked to %d, not another conversation", ci.ID, ci.Link.Parent)
			}
		}
	}
	if linked < 2 {
		t.Errorf("%d cancel requests linked, want one for each cancelled query at least", linked)
	}
}
