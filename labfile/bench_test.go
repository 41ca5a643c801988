package labfile

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// peak samples the heap while f runs and returns the most it held beyond what
// it held before, in MiB.
func peak(f func()) float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, top := ms.HeapAlloc, ms.HeapAlloc
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			top = max(top, ms.HeapAlloc)
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(stop)
	wg.Wait()
	runtime.ReadMemStats(&ms)
	top = max(top, ms.HeapAlloc)
	return float64(top-base) / (1 << 20)
}

const benchEvents = 100_000

// BenchmarkSave writes a 100,000-event session to a file (Save: temp file, fsync, rename).
func BenchmarkSave(b *testing.B) {
	s := synthetic(benchEvents)
	path := filepath.Join(b.TempDir(), "lab"+Extension)
	b.ReportAllocs()
	save := func() {
		if err := Save(path, s); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		save()
	}
	mb := peak(save) // apart from the timed runs: sampling stops the world
	fi, _ := os.Stat(path)
	b.ReportMetric(float64(fi.Size())/(1<<20), "file-MiB")
	b.ReportMetric(mb, "peak-MiB")
}

// BenchmarkLoad reads a 100,000-event session from a file.
func BenchmarkLoad(b *testing.B) {
	path := filepath.Join(b.TempDir(), "lab"+Extension)
	if err := Save(path, synthetic(benchEvents)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	load := func() {
		if _, err := Load(path); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		load()
	}
	mb := peak(load)
	b.ReportMetric(mb, "peak-MiB")
}

// BenchmarkOpen is what reopening costs: Load, then the hub's Import (Restore
// without the servers).
func BenchmarkOpen(b *testing.B) {
	path := filepath.Join(b.TempDir(), "lab"+Extension)
	if err := Save(path, synthetic(benchEvents)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	open := func() {
		s, err := Load(path)
		if err != nil {
			b.Fatal(err)
		}
		h := lab.NewHub(lab.HubOptions{})
		if err := h.Import(s.Conversations, s.Events); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		open()
	}
	mb := peak(open)
	b.ReportMetric(mb, "peak-MiB")
}

// BenchmarkWriteRead is the format alone, in memory.
func BenchmarkWriteRead(b *testing.B) {
	s := synthetic(benchEvents)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := Write(&buf, s); err != nil {
			b.Fatal(err)
		}
		if _, err := Read(bytes.NewReader(buf.Bytes())); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}
