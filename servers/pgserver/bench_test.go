package pgserver

import (
	"context"
	"fmt"
	"github.com/protocollab/protolab/protocols/pgsql"
	"github.com/protocollab/protolab/protocols/tcp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// BenchmarkSelect measures SELECT 1 queries per second over 1 and 10
// connections, in the simple protocol (Query) and the extended one (pgx's
// cached prepared statement: Bind, Execute, Sync), with the lab's capture on
// ("captured": every byte through the tap into a hub) and off. An op is one
// query answered. "captured-full" begins with the hub at its bound, as the
// capture runs once the lab has captured its first MaxBytes; "captured"
// begins with an empty hub, so a short run measures mostly the hub filling.
//
//	go test -run '^$' -bench Select -benchtime 20000x ./servers/pgserver/
func BenchmarkSelect(b *testing.B) {
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheStatement} {
		for _, conns := range []int{1, 10} {
			for _, capture := range []string{"captured", "captured-full", "uncaptured"} {
				b.Run(fmt.Sprintf("%s/conns%d/%s", mode, conns, capture), func(b *testing.B) {
					var tap *lab.Tap
					var hub *lab.Hub
					if capture != "uncaptured" {
						// As the app captures it: PostgreSQL's analyzer on.
						reg := &lab.Registry{}
						reg.Register(tcp.Protocol())
						p := pgsql.Protocol()
						reg.Register(p)
						hub = lab.NewHub(lab.HubOptions{Registry: reg})
						tap = hub.Tap(p)
					}
					if capture != "captured-full" {
						hub = nil
					}
					_, addr := testServer(b, Options{Tap: tap, Auth: AuthCleartext})
					benchSelect(b, addr, mode, conns, hub)
				})
			}
		}
	}
}

// benchSelect runs b.N queries over conns connections to addr; with full, a
// hub filled to its bound first (servertest.FillHub).
func benchSelect(b *testing.B, addr string, mode pgx.QueryExecMode, conns int, full *lab.Hub) {
	clients := make([]*pgx.Conn, conns)
	for i := range clients {
		clients[i] = pgxConnect(b, addr, "sslmode=disable", mode)
	}
	ctx := context.Background()
	run := func(queries int) error {
		var left atomic.Int64
		left.Store(int64(queries))
		var wg sync.WaitGroup
		errs := make(chan error, conns)
		for _, c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var n int
				for left.Add(-1) >= 0 {
					if err := c.QueryRow(ctx, "SELECT 1").Scan(&n); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		return <-errs
	}
	servertest.FillHub(b, full, run)
	b.ResetTimer()
	start := time.Now()
	cpu0 := servertest.CPUTime(b, 0)
	err := run(b.N)
	elapsed := time.Since(start)
	cpu := servertest.CPUTime(b, 0) - cpu0
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "queries/s")
	// The CPU a query takes, the client's (pgx, in this process) included.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/query")
}
