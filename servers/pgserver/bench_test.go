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
// query answered.
//
//	go test -run '^$' -bench Select -benchtime 20000x ./servers/pgserver/
func BenchmarkSelect(b *testing.B) {
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheStatement} {
		for _, conns := range []int{1, 10} {
			for _, capture := range []string{"captured", "uncaptured"} {
				b.Run(fmt.Sprintf("%s/conns%d/%s", mode, conns, capture), func(b *testing.B) {
					var tap *lab.Tap
					if capture == "captured" {
						// As the app captures it: PostgreSQL's analyzer on.
						reg := &lab.Registry{}
						reg.Register(tcp.Protocol())
						p := pgsql.Protocol()
						reg.Register(p)
						tap = lab.NewHub(lab.HubOptions{Registry: reg}).Tap(p)
					}
					_, addr := testServer(b, Options{Tap: tap, Auth: AuthCleartext})
					benchSelect(b, addr, mode, conns)
				})
			}
		}
	}
}

func benchSelect(b *testing.B, addr string, mode pgx.QueryExecMode, conns int) {
	clients := make([]*pgx.Conn, conns)
	for i := range clients {
		clients[i] = pgxConnect(b, addr, "sslmode=disable", mode)
	}
	ctx := context.Background()
	var left atomic.Int64
	left.Store(int64(b.N))
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	b.ResetTimer()
	start := time.Now()
	cpu0 := servertest.CPUTime(b, 0)
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
	elapsed := time.Since(start)
	cpu := servertest.CPUTime(b, 0) - cpu0
	b.StopTimer()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "queries/s")
	// The CPU a query takes, the client's (pgx, in this process) included.
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/query")
}
