package export_test

import (
	"context"
	"testing"

	"github.com/protocollab/protolab/clients/pgclient"
	"github.com/protocollab/protolab/clients/redisclient"
)

// driveDatabases has the lab's clients ask the PostgreSQL and Redis servers
// one thing each.
func driveDatabases(ctx context.Context, t *testing.T, tb *testBench) {
	t.Helper()
	pc, err := pgclient.Connect(ctx, tb.addr["postgres"], pgclient.Options{Tap: tb.tap("postgres")})
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	if r, err := pc.Run(ctx, "SELECT 1", pgclient.Simple); err != nil || r.Err != nil {
		t.Fatalf("postgres: %v, %v", err, r.Err)
	}
	pc.Close(ctx)
	rc, err := redisclient.Connect(ctx, tb.addr["redis"], redisclient.Options{Tap: tb.tap("redis"), Username: "lab", Password: "lab"})
	if err != nil {
		t.Fatalf("redis: %v", err)
	}
	if _, err := rc.Do(ctx, "SET lab hello"); err != nil {
		t.Fatalf("redis: %v", err)
	}
	rc.Close()
}
