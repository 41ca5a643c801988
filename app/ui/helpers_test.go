package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/protocols/udp"
	"github.com/protocollab/protolab/servers/tcpserver"
	"github.com/protocollab/protolab/servers/udpserver"
)

// testBench is a bench with the TCP and UDP servers, on free ports.
func testBench(t testing.TB) *lab.Bench {
	t.Helper()
	reg := &lab.Registry{}
	tp := tcp.Protocol()
	tp.NewServer = tcpserver.NewLab
	reg.Register(tp)
	up := udp.Protocol()
	up.NewServer = udpserver.NewLab
	reg.Register(up)
	b := lab.NewBench(lab.NewHub(lab.HubOptions{Registry: reg}), reg)
	b.SetPort("tcp", 0)
	b.SetPort("udp", 0)
	t.Cleanup(b.StopAll)
	return b
}

// testWindow is a headless main window over a fresh bench.
func testWindow(t testing.TB) *Window {
	t.Helper()
	a := test.NewTempApp(t)
	w := NewWindow(a, testBench(t))
	t.Cleanup(w.Close)
	return w
}

// waitFor refreshes the window each time a pane reports news until ok holds, or
// fails the test after a few seconds without it.
func waitFor(t *testing.T, w *Window, what string, ok func() bool) {
	t.Helper()
	deadline := time.NewTimer(5 * time.Second)
	defer deadline.Stop()
	for {
		w.async.Wait()
		w.refresh()
		if ok() {
			return
		}
		select {
		case <-w.poke:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// started starts name's server and selects its workbench.
func started(t testing.TB, w *Window, name string) lab.ServerStatus {
	t.Helper()
	if err := w.bench.Start(name); err != nil {
		t.Fatalf("Start(%s): %v", name, err)
	}
	w.selectProtocol(name)
	w.refresh()
	return w.bench.Status(name)
}
