// Package loadtest drives the lab under load from outside: it starts a built
// protolab serve on free ports, runs scenarios of many concurrent clients
// against its servers, checks every reply, and reports operations, failures,
// latency and the server process's memory and open files. scripts/load runs it.
package loadtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/protocollab/protolab/app/wire"
)

// Servers are the lab's servers serve starts, each given a free port: the
// registry's, as the app wires them.
var Servers = wire.Registry().Servers()

// Serve is a running protolab serve --json.
type Serve struct {
	cmd     *exec.Cmd
	Addrs   map[string]string // server name -> address, from the listening lines
	events  atomic.Uint64
	dropped atomic.Uint64
	done    chan struct{}
}

// StartServe runs bin serve --json with every server on port 0 and waits
// (at most 60 s) for every listening line.
func StartServe(bin string) (*Serve, error) {
	args := []string{"serve", "--json"}
	for _, n := range Servers {
		args = append(args, "--port", n+"=0")
	}
	s := &Serve{cmd: exec.Command(bin, args...), Addrs: map[string]string{}, done: make(chan struct{})}
	s.cmd.Stderr = os.Stderr
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	ready := make(chan map[string]string, 1)
	go s.read(out, ready)
	select {
	case addrs := <-ready:
		s.Addrs = addrs
		return s, nil
	case <-time.After(60 * time.Second):
		s.Stop()
		return nil, fmt.Errorf("serve: not every server listening after 60 s")
	}
}

// read drains serve's JSON lines, learning the addresses and counting events.
func (s *Serve) read(r io.Reader, ready chan<- map[string]string) {
	defer close(s.done)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	addrs := map[string]string{}
	sent := false
	for sc.Scan() {
		line := sc.Bytes()
		s.events.Add(1)
		switch {
		case bytes.Contains(line, []byte(`"event":"listening"`)):
			var rec struct{ Protocol, Addr string }
			if json.Unmarshal(line, &rec) == nil {
				addrs[rec.Protocol] = rec.Addr
			}
			if !sent && len(addrs) >= len(Servers) {
				sent = true
				ready <- addrs
			}
		case bytes.Contains(line, []byte(`"event":"dropped"`)):
			var rec struct{ Missed uint64 }
			if json.Unmarshal(line, &rec) == nil {
				s.dropped.Add(rec.Missed)
			}
		}
	}
	_, _ = io.Copy(io.Discard, r)
}

// Events is how many JSON lines serve printed; Dropped the events it said it lost.
func (s *Serve) Events() uint64  { return s.events.Load() }
func (s *Serve) Dropped() uint64 { return s.dropped.Load() }

// PID is serve's process id.
func (s *Serve) PID() int { return s.cmd.Process.Pid }

// Stop interrupts serve and waits (at most 30 s) for it to end.
func (s *Serve) Stop() error {
	_ = s.cmd.Process.Signal(os.Interrupt)
	ended := make(chan error, 1)
	go func() { ended <- s.cmd.Wait() }()
	select {
	case err := <-ended:
		return err
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-ended
		return fmt.Errorf("serve did not stop within 30 s of an interrupt")
	}
}

// RSS is a process's resident set in KiB (VmRSS), or -1.
func RSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return -1
}

// FDs is how many files a process has open, or -1.
func FDs(pid int) int {
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return -1
	}
	return len(ents)
}
