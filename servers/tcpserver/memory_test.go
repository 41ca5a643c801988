package tcpserver_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/servers/tcpserver"
)

// maxOverBound is what the process may hold beyond the capture's bound.
const maxOverBound = 64 << 20

// TestMemoryWithinBound: however much traffic comes, the capture holds its
// bound and the process its bound plus 64 MiB. A flood of short connections
// (each a line and its echo, then closed) and then a flood of small messages
// over a few connections go through the echo server tapped into a hub of the
// default bound, several times what it holds, and then bulk bytes over two
// (each read tens of KiB: a chunk of the log's events holds hundreds of
// MiB of them); after each, the live heap is measured.
func TestMemoryWithinBound(t *testing.T) {
	if testing.Short() {
		t.Skip("a flood of traffic; not in -short")
	}
	reg := &lab.Registry{}
	p := tcpProtocol()
	reg.Register(p)
	hub := lab.NewHub(lab.HubOptions{Registry: reg})
	_, addr := startServer(t, tcpserver.Options{Tap: hub.Tap(p)})
	bound := hub.Options().MaxBytes

	check := func(what string) (heap, held uint64) {
		t.Helper()
		hub.Settle()
		runtime.GC()
		debug.FreeOSMemory()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		st := hub.Stats()
		t.Logf("%s: %d events held (%d MiB of the %d MiB bound, %d dropped), %d conversations; live heap %d MiB",
			what, st.Events, st.Bytes>>20, bound>>20, st.Dropped, st.Convs, ms.HeapAlloc>>20)
		if st.Bytes > bound {
			t.Errorf("%s: the hub holds %d bytes, past its bound %d", what, st.Bytes, bound)
		}
		if st.Dropped == 0 {
			t.Errorf("%s: nothing was dropped: the traffic did not fill the bound, and the test shows nothing", what)
		}
		if limit := uint64(bound + maxOverBound); ms.HeapAlloc > limit {
			t.Errorf("%s: live heap %d MiB, past the bound plus 64 MiB (%d MiB)", what, ms.HeapAlloc>>20, limit>>20)
		}
		return ms.HeapAlloc, uint64(st.Bytes)
	}

	// Short connections, 8 at a time.
	const shortConns = 30_000
	var wg sync.WaitGroup
	next := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 64)
			for i := range next {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					t.Error(err)
					continue
				}
				c.SetDeadline(time.Now().Add(30 * time.Second))
				line := fmt.Sprintf("short connection %d\n", i)
				c.Write([]byte(line))
				if _, err := io.ReadFull(c, buf[:len(line)]); err != nil {
					t.Errorf("connection %d: %v", i, err)
				}
				c.Close()
			}
		}()
	}
	for i := range shortConns {
		next <- i
	}
	close(next)
	wg.Wait()
	check(fmt.Sprintf("after %d short connections", shortConns))

	// Small messages over 10 connections.
	const messages = 300_000
	overConns(t, addr, 10, func(w int, c net.Conn) error {
		r := bufio.NewReader(c)
		for i := range messages / 10 {
			fmt.Fprintf(c, "message %d of %d\n", i, w)
			if _, err := r.ReadString('\n'); err != nil {
				return err
			}
		}
		return nil
	})
	check(fmt.Sprintf("after %d small messages", messages))

	// Bulk bytes over 2 connections: 1 MiB written, then read back.
	const bulk = 256 << 20
	overConns(t, addr, 2, func(_ int, c net.Conn) error {
		out, in := make([]byte, 1<<20), make([]byte, 1<<20)
		for i := range out {
			out[i] = byte(i)
		}
		for range bulk / 2 / len(out) {
			if _, err := c.Write(out); err != nil {
				return err
			}
			if _, err := io.ReadFull(c, in); err != nil {
				return err
			}
		}
		return nil
	})
	// Bulk events are few and large, so what the hub holds is about what it
	// counts; the bytes of the events it dropped must be let go of too, not
	// kept with the newer events beside them in the log.
	if heap, held := check(fmt.Sprintf("after %d MiB in bulk", bulk>>20)); heap > held+40<<20 {
		t.Errorf("after bulk bytes: live heap %d MiB, for %d MiB of events held", heap>>20, held>>20)
	}
}

// overConns runs f over n connections to addr at once, each with its
// number, and waits for them all; an error ends that connection's run.
func overConns(t *testing.T, addr string, n int, f func(w int, c net.Conn) error) {
	t.Helper()
	var wg sync.WaitGroup
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Minute))
			if err := f(w, c); err != nil {
				t.Errorf("connection %d: %v", w, err)
			}
		}()
	}
	wg.Wait()
}
