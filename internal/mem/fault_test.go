//go:build linux && !race

package mem

import (
	"syscall"
	"testing"
	"unsafe"
)

// TestFault: pages an allocation fresh from the system gets are mapped by
// Fault, for writing: reading them all and then writing them all (what the
// collector and then an analyzer do to a slab of messages) faults no more.
// Without it, the same reads and writes fault at least once a page. (Not
// under the race detector, whose shadow memory faults with every page read.)
func TestFault(t *testing.T) {
	const n = 32 << 20 // more than the runtime holds free: fresh from the system
	const page = 4096 / 8
	readWrite := func(b []*byte) int64 {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		before := ru.Minflt
		var sink *byte
		for i := 0; i < len(b); i += page {
			if b[i] != nil {
				sink = b[i]
			}
		}
		for i := 0; i < len(b); i += page {
			b[i] = sink
		}
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return ru.Minflt - before
	}
	pages := int64(n / 4096)
	plain := make([]*byte, n/8)
	if f := readWrite(plain); f < pages/2 {
		t.Skipf("%d faults for %d pages: the allocation was not fresh", f, pages)
	}
	faulted := make([]*byte, n/8)
	Fault(unsafe.Pointer(unsafe.SliceData(faulted)), n)
	if f := readWrite(faulted); f > pages/20 {
		t.Errorf("%d faults for %d pages after Fault", f, pages)
	}
}
