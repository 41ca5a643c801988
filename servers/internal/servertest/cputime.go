package servertest

import (
	"syscall"
	"testing"
	"time"

	"github.com/protocollab/protolab/internal/outside"
)

// CPUTime is the CPU time, user and system, this process has used, with that
// of process other (an outside server a benchmark compares with) when other
// is not 0. A benchmark reports the difference over its run per request: on a
// busy machine a steadier figure than the rate, which other programs' share
// of the CPU sways.
func CPUTime(tb testing.TB, other int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	d := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	if other != 0 {
		d += outside.ProcessCPU(tb, other)
	}
	return d
}
