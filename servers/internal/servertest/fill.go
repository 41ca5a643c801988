package servertest

import (
	"runtime/debug"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// FillHub runs load, a batch of n operations at a time, until hub holds as
// much as its bound lets it (the bound has dropped an event), for a benchmark
// of the capture as it runs once the lab has captured its first MaxBytes: a
// shorter run measures mostly the hub filling, every allocation in memory the
// process touches for the first time. It fails the benchmark when load fails,
// or when a million operations or two minutes leave the hub short of its
// bound. With no hub it does nothing.
func FillHub(b *testing.B, hub *lab.Hub, load func(n int) error) {
	b.Helper()
	FillHubBy(b, hub, 2000, load)
}

// FillHubBy is FillHub for a load whose operations are large (a file of
// megabytes): batch operations at a time, and 500 batches at most.
func FillHubBy(b *testing.B, hub *lab.Hub, batch int, load func(n int) error) {
	b.Helper()
	if hub == nil {
		return
	}
	// The memory limit the app and serve set (lab.LimitMemory): near it the
	// collector runs more often, and that is part of what capture costs.
	was := debug.SetMemoryLimit(-1)
	lab.LimitMemory(hub)
	b.Cleanup(func() { debug.SetMemoryLimit(was) })
	most := 500 * batch
	end := time.Now().Add(2 * time.Minute)
	for done := 0; ; done += batch {
		hub.Settle()
		if hub.Stats().Dropped > 0 {
			return
		}
		if done >= most || time.Now().After(end) {
			st := hub.Stats()
			b.Fatalf("after %d operations the hub holds %d events, %d bytes, short of its bound", done, st.Events, st.Bytes)
		}
		if err := load(batch); err != nil {
			b.Fatal(err)
		}
	}
}
