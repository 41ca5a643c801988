package inspector

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
)

// BenchmarkOpen1M measures the inspector taking in a capture of 1,000,000
// messages over 10,000 conversations, as opening a saved session gives it: the
// hub imports them (within its default bound of 64 MiB, so the oldest are
// dropped as a live capture would drop them), then the inspector reads them
// all and shows the newest conversation. One op is the whole of it. It reports
// the heap in use after it, and the inspector's own share against the bound.
func BenchmarkOpen1M(b *testing.B) {
	const convs, per = 10_000, 100
	infos := make([]lab.ConvInfo, convs)
	now := time.Now()
	for c := range convs {
		infos[c] = lab.ConvInfo{ID: lab.ConvID(c + 1), Protocol: "line", Transport: "tcp",
			Client: fmt.Sprintf("127.0.0.1:%d", 20000+c), Server: "127.0.0.1:7007", Start: now, End: now, Last: now, Messages: per}
	}
	evs := make([]lab.Event, 0, convs*per)
	for i := range per {
		for c := range convs {
			evs = append(evs, message(lab.ConvID(c+1), i))
		}
	}
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base) // the input's own memory is not the lab's
	var heap, model float64
	var importing, inspecting time.Duration
	for b.Loop() {
		h, reg, _ := newLab(0) // the default bound
		in := newTestInspector(b, h, reg)
		t0 := time.Now()
		h.Import(infos, evs) // past the bound it says how many it dropped
		t1 := time.Now()
		for {
			in.Update()
			if !in.Behind() {
				break
			}
		}
		in.Select(lab.ConvID(convs))
		if in.rows() == 0 {
			b.Fatal("the newest conversation shows no rows")
		}
		importing, inspecting = importing+t1.Sub(t0), inspecting+time.Since(t1)
		b.StopTimer()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = float64(int64(ms.HeapInuse)-int64(base.HeapInuse)) / (1 << 20)
		model = float64(in.model.Bytes()) / (1 << 20)
		runtime.KeepAlive(h)
		runtime.KeepAlive(in)
		b.StartTimer()
	}
	b.ReportMetric(importing.Seconds()/float64(b.N), "import-s/op")
	b.ReportMetric(inspecting.Seconds()/float64(b.N), "inspect-s/op")
	b.ReportMetric(heap, "lab-heap-MiB")
	b.ReportMetric(model, "inspector-MiB")
}
