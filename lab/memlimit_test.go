package lab

import (
	"runtime/debug"
	"testing"
)

func TestLimitMemory(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	t.Setenv("GOMEMLIMIT", "")
	h := NewHub(HubOptions{MaxBytes: 32 << 20})
	if got := LimitMemory(h); got != 32<<20+Headroom || debug.SetMemoryLimit(-1) != got {
		t.Errorf("LimitMemory = %d (runtime: %d), want the bound plus the headroom, %d", got, debug.SetMemoryLimit(-1), 32<<20+Headroom)
	}
	// A person's GOMEMLIMIT stays.
	debug.SetMemoryLimit(1 << 30)
	t.Setenv("GOMEMLIMIT", "1GiB")
	if got := LimitMemory(h); got != 1<<30 {
		t.Errorf("with GOMEMLIMIT set, LimitMemory = %d, want the limit it set", got)
	}
}
