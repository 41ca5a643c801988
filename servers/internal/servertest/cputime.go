package servertest

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
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
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", other))
		if err != nil {
			tb.Fatal(err)
		}
		// The fields after the command's closing parenthesis; utime and stime
		// are the 12th and 13th of them, in clock ticks (100 a second on Linux).
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		utime, _ := strconv.ParseInt(f[11], 10, 64)
		stime, _ := strconv.ParseInt(f[12], 10, 64)
		d += time.Duration(utime+stime) * 10 * time.Millisecond
	}
	return d
}
