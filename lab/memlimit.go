package lab

import (
	"os"
	"runtime/debug"
)

// Headroom is the memory a lab process may use beside its hub's bound: the
// servers, their connections, the window.
const Headroom = 64 << 20

// LimitMemory asks the Go runtime to keep the process's memory within what
// h may hold plus Headroom (debug.SetMemoryLimit), and returns that limit.
// Without it the collector lets the heap grow to twice what is live before it
// collects, so a full hub would take the process to twice its bound. Near the
// limit the collector runs more often (at most about half the CPU, by the
// runtime's own cap), rather than the process growing. A GOMEMLIMIT in the
// environment is the person's choice and is left as it is (the limit it set
// is returned).
func LimitMemory(h *Hub) int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1)
	}
	limit := h.opts.MaxBytes + Headroom
	debug.SetMemoryLimit(limit)
	return limit
}
