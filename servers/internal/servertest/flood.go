package servertest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// FloodSize is what a flood sends: 16 MiB, far past every unit's bound.
const FloodSize = 16 << 20

// MaxGrowth is how much a flood may grow the test process's resident memory.
const MaxGrowth = 20 << 20

// Flood is a client sending one unit (a line, a header block, a message) far
// larger than the server's bound, and another client the server must serve
// meanwhile.
type Flood struct {
	// Addr is the server's address.
	Addr string
	// Start brings the flooding connection to where the unit begins (reads the
	// greeting, logs in, sends DATA, ...); nil reads nothing.
	Start func(c net.Conn, r *bufio.Reader) error
	// Prefix is sent before the unit's bytes: "USER ", "GET / HTTP/1.1\r\nX: ".
	Prefix string
	// Pattern is what the unit is made of, repeated: "x" when empty (a line
	// without end); a line, CRLF included, for a message of many lines.
	Pattern string
	// Suffix is sent after the unit, if the server is still reading: the end
	// of a message (".\r\n"), without which some protocols cannot answer.
	Suffix string
	// Size is the unit's size, Prefix excluded; zero means FloodSize.
	Size int64
	// Other is another client's whole exchange, run once the flood is under
	// way; the test fails if it returns an error.
	Other func() error
	// Until, if set, ends the reading of the answer once it holds Until (for
	// a server that answers and keeps the connection); otherwise the answer is
	// read until the server closes.
	Until string
	// Drains says the server reads the unit to its end, discarding it (SMTP's
	// DATA does, to answer 552 and go on); otherwise the test fails if the
	// server read the whole unit.
	Drains bool
}

// Result is what a flood saw.
type Result struct {
	Answer  string // what the server sent after Start, up to 64 KiB
	Written int64  // bytes of the unit written before the server stopped reading or closed
	Growth  int64  // the process's resident memory at its peak during the flood, less before it
	Heap    int64  // the same for the Go heap's objects (live and not yet collected)
}

// Run sends the flood and returns what came back. It fails the test if Start
// or Other fails, if the process grew by more than MaxGrowth, or if the server
// read the whole flood (unless Drains). The flood
// ends when the server closes the connection, or after a minute.
func (f Flood) Run(t testing.TB) Result {
	t.Helper()
	size, pattern := f.Size, f.Pattern
	if size == 0 {
		size = FloodSize
	}
	if pattern == "" {
		pattern = "x"
	}
	// Garbage is collected early meanwhile, so that the process's memory
	// follows what is kept, not what the collector has yet to reclaim.
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	debug.FreeOSMemory()
	peak := newPeak()
	defer peak.stop() // if the test ends early

	c, err := net.Dial("tcp", f.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Minute))
	r := bufio.NewReader(c)
	if f.Start != nil {
		if err := f.Start(c, r); err != nil {
			t.Fatalf("before the flood: %v", err)
		}
	}
	var written atomic.Int64
	under := make(chan struct{})
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		once := sync.OnceFunc(func() { close(under) })
		defer once()
		if _, err := io.WriteString(c, f.Prefix); err != nil {
			return
		}
		chunk := bytes.Repeat([]byte(pattern), max(1, (64<<10)/len(pattern)))
		for n := int64(0); n < size; {
			k := min(int64(len(chunk)), size-n)
			m, err := c.Write(chunk[:k])
			n += int64(m)
			written.Store(n)
			once()
			if err != nil {
				return
			}
		}
		io.WriteString(c, f.Suffix)
	}()
	<-under
	if f.Other != nil {
		if err := f.Other(); err != nil {
			t.Errorf("another client during the flood: %v", err)
		}
	}
	answer := readAnswer(r, f.Until)
	c.Close() // a server still reading gets no more
	<-wrote
	res := Result{Answer: answer, Written: written.Load()}
	res.Growth, res.Heap = peak.stop()
	if testing.Verbose() {
		t.Logf("flood: %d bytes written, the process grew by %d KB at most, its heap by %d KB", res.Written, res.Growth>>10, res.Heap>>10)
	}
	if !f.Drains && res.Written >= size {
		t.Errorf("the server read all %d bytes of the flood, want it refused at its bound", res.Written)
	}
	switch {
	case race && res.Heap > MaxGrowth: // the detector's shadow memory swells the resident size
		t.Errorf("the heap grew by %d MB during a flood of %d MiB, want at most %d MB", res.Heap>>20, size>>20, MaxGrowth>>20)
	case !race && res.Growth > MaxGrowth:
		t.Errorf("the process grew by %d MB during a flood of %d MiB, want at most %d MB", res.Growth>>20, size>>20, MaxGrowth>>20)
	}
	return res
}

// readAnswer reads what the server sends, up to 64 KiB, until it closes or
// until the answer holds until.
func readAnswer(r *bufio.Reader, until string) string {
	var b []byte
	for len(b) < 64<<10 {
		line, err := r.ReadSlice('\n')
		b = append(b, line...)
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) || until != "" && bytes.Contains(b, []byte(until)) {
			break
		}
	}
	return string(b)
}

// peak samples the process's resident memory and heap until stopped.
type peak struct {
	base, max         atomic.Int64
	baseHeap, maxHeap atomic.Int64
	done              chan struct{}
	stopped           chan struct{}
}

func newPeak() *peak {
	p := &peak{done: make(chan struct{}), stopped: make(chan struct{})}
	p.base.Store(RSS())
	p.max.Store(p.base.Load())
	p.baseHeap.Store(heap())
	p.maxHeap.Store(p.baseHeap.Load())
	go func() {
		defer close(p.stopped)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			p.sample()
			select {
			case <-p.done:
				return
			case <-tick.C:
			}
		}
	}()
	return p
}

func (p *peak) sample() {
	if n := RSS(); n > p.max.Load() {
		p.max.Store(n)
	}
	if n := heap(); n > p.maxHeap.Load() {
		p.maxHeap.Store(n)
	}
}

// stop ends the sampling and returns the growth at the peak, of the process
// and of its heap.
func (p *peak) stop() (int64, int64) {
	select {
	case <-p.done:
	default:
		close(p.done)
		<-p.stopped
		p.sample()
	}
	return p.max.Load() - p.base.Load(), p.maxHeap.Load() - p.baseHeap.Load()
}

// heap is the bytes of the Go heap's objects, live or not yet collected.
func heap() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64())
}

// RSS is the test process's resident memory in bytes (VmRSS), 0 where
// /proc/self/status cannot be read.
func RSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range bytes.Lines(b) {
		if v, ok := bytes.CutPrefix(line, []byte("VmRSS:")); ok {
			kb, err := strconv.ParseInt(string(bytes.Fields(v)[0]), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}

// Greeted is a Flood.Start that reads the server's greeting, a line beginning
// with prefix ("220 ", "+OK ").
func Greeted(prefix string) func(net.Conn, *bufio.Reader) error {
	return func(_ net.Conn, r *bufio.Reader) error {
		line, err := r.ReadString('\n')
		if err == nil && !strings.HasPrefix(line, prefix) {
			err = fmt.Errorf("greeting %q, want %q…", line, prefix)
		}
		return err
	}
}

// Served is a Flood.Other: a client of addr that reads the greeting (a line
// beginning with greeting), sends the command line cmd and reads a reply line
// beginning with want.
func Served(addr, greeting, cmd, want string) func() error {
	return func() error {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return err
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(time.Minute))
		r := bufio.NewReader(c)
		if err := Greeted(greeting)(c, r); err != nil {
			return err
		}
		fmt.Fprintf(c, "%s\r\n", cmd)
		if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, want) {
			return fmt.Errorf("%s = %q, %v; want %q…", cmd, line, err, want)
		}
		return nil
	}
}
