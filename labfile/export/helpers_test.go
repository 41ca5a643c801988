package export_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
)

// testBench is the lab's own bench with some servers on free ports.
type testBench struct {
	bench *lab.Bench
	hub   *lab.Hub
	addr  map[string]string
	ca    *labca.CA
}

// startBench starts the named servers of the app's bench on 127.0.0.1 port 0,
// with the lab's CA in a temporary folder.
func startBench(t *testing.T, names ...string) *testBench {
	t.Helper()
	dir := labdirtest.Temp(t).Config
	ca, err := labca.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	b := wire.NewBench(lab.HubOptions{})
	tb := &testBench{bench: b, hub: b.Hub(), addr: make(map[string]string), ca: ca}
	t.Cleanup(b.StopAll)
	for _, n := range names {
		b.SetPort(n, 0)
		if n == "ftp" {
			root := t.TempDir()
			if err := os.WriteFile(filepath.Join(root, "hello.txt"), []byte("hello from the lab\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			b.SetSetting("ftp", "root", root)
		}
		if err := b.Start(n); err != nil {
			t.Fatalf("start %s: %v", n, err)
		}
		tb.addr[n] = b.Status(n).Addr
	}
	return tb
}

// tap is the tap of protocol name, for the lab's clients.
func (tb *testBench) tap(name string) *lab.Tap {
	return tb.hub.Tap(tb.bench.Registry().Lookup(name))
}

// session waits until every conversation has ended and its analysis caught up,
// then returns what a saved session holds.
func (tb *testBench) session(t *testing.T) ([]lab.ConvInfo, []lab.Event, []string) {
	t.Helper()
	changed := make(chan struct{}, 1)
	tb.hub.OnConversation(func(lab.ConvID) {
		select {
		case changed <- struct{}{}:
		default:
		}
	})
	deadline := time.After(15 * time.Second)
	for {
		live := 0
		for _, c := range tb.hub.Conversations() {
			if c.Live {
				live++
			}
		}
		if live == 0 {
			break
		}
		select {
		case <-changed:
		case <-time.After(100 * time.Millisecond): // a UDP flow ends by time, not by a signal
		case <-deadline:
			t.Fatalf("%d conversations still live", live)
		}
	}
	tb.hub.Settle()
	return tb.hub.Conversations(), tb.hub.Events(0), tb.hub.Keys().Lines()
}

// needTshark skips the test when tshark is missing.
func needTshark(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark is not installed (Debian package tshark): the pcapng checks need it")
	}
}

// tshark runs tshark -r file with args and returns its output lines.
func tshark(t *testing.T, file string, args ...string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "tshark", append([]string{"-n", "-r", file}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark %v: %v\n%s", args, err, stderr.String())
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

func contains(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}
