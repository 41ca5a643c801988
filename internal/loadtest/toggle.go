package loadtest

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/lab"
)

// Usage is a snapshot of this process: goroutines, live heap and open files.
type Usage struct {
	Goroutines int
	HeapKiB    uint64
	FDs        int
}

// Measure collects garbage, lets ended goroutines finish, and takes a Usage.
func Measure() Usage {
	var u Usage
	for range 3 {
		runtime.GC()
		time.Sleep(100 * time.Millisecond)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	u.Goroutines = runtime.NumGoroutine()
	u.HeapKiB = ms.HeapAlloc / 1024
	u.FDs = FDs(os.Getpid())
	return u
}

func (u Usage) String() string {
	return fmt.Sprintf("%d goroutines, heap %d KiB, %d open files", u.Goroutines, u.HeapKiB, u.FDs)
}

// Flat reports whether after has not grown from before beyond noise: a few
// goroutines and files, and a fifth of the heap plus 4 MiB.
func Flat(before, after Usage) bool {
	return after.Goroutines <= before.Goroutines+5 && after.FDs <= before.FDs+5 &&
		after.HeapKiB <= before.HeapKiB+before.HeapKiB/5+4096
}

// Toggle starts and stops every server of the lab's bench n times on port 0,
// in this process, and reports whether goroutines, heap and open files stayed
// flat. The lab's folders are where the environment says (scripts/load points
// them at a temporary folder). names, if any, narrows the servers.
func Toggle(w io.Writer, n int, names ...string) error {
	bench := wire.NewBench(lab.HubOptions{})
	reg := bench.Registry()
	for _, name := range reg.Servers() {
		bench.SetPort(name, 0)
	}
	if len(names) == 0 {
		names = reg.Servers()
	}
	cycle := func(name string) error {
		all, _ := reg.WithNeeds([]string{name}) // with the servers it needs and its parts
		for n, err := range bench.StartAll(all...) {
			if err != nil {
				bench.StopAll()
				return fmt.Errorf("%s: start %s: %w", name, n, err)
			}
		}
		if st := bench.Status(name); !st.Running || st.Addr == "" {
			bench.StopAll()
			return fmt.Errorf("%s: not running after start (%v)", name, st.Err)
		}
		bench.StopAll()
		if st := bench.Status(name); st.Running {
			return fmt.Errorf("%s: still running after stop", name)
		}
		return nil
	}
	for _, name := range names { // a first cycle makes what is made once (keys, folders)
		if err := cycle(name); err != nil {
			return err
		}
	}
	before := Measure()
	fmt.Fprintf(w, "toggle: before: %s\n", before)
	start := time.Now()
	for _, name := range names {
		t := time.Now()
		for range n {
			if err := cycle(name); err != nil {
				return err
			}
		}
		fmt.Fprintf(w, "toggle: %-10s %d start/stop cycles in %s\n", name, n, time.Since(t).Round(time.Millisecond))
	}
	after := Measure()
	fmt.Fprintf(w, "toggle: after:  %s (%d servers × %d cycles in %s)\n", after, len(names), n, time.Since(start).Round(time.Second))
	if !Flat(before, after) {
		return fmt.Errorf("toggle: not flat: before %s, after %s", before, after)
	}
	return nil
}
