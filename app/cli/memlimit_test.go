package cli

import (
	"runtime/debug"
	"testing"

	"github.com/protocollab/protolab/lab"
)

// The tests run serve many times in one process beside other tests: the
// process keeps the memory limit it has (TestServeLimitsMemory checks the
// real one).
func init() { limitMemory = func(*lab.Hub) int64 { return 0 } }

// TestServeLimitsMemory: serve asks the runtime to keep the process within its
// hub's bound and the headroom.
func TestServeLimitsMemory(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before); limitMemory = func(*lab.Hub) int64 { return 0 } })
	t.Setenv("GOMEMLIMIT", "")
	limitMemory = lab.LimitMemory
	r := startServe(t, "--only", "tcp", "--port", "tcp=0", "--json")
	if rec := r.record(t); rec.Event != "listening" {
		t.Fatalf("first line %+v", rec)
	}
	if got, want := debug.SetMemoryLimit(-1), int64(lab.DefaultMaxBytes+lab.Headroom); got != want {
		t.Errorf("memory limit %d while serving, want %d", got, want)
	}
	r.cancel()
	for range r.lines {
	}
	<-r.code
}
