package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
	"github.com/protocollab/protolab/labfile"
)

// recordEcho runs serve --only tcp --record FILE with extra flags on a bench
// whose hub holds 2 MiB of events, sends conns × lines lines to its echo
// server (every echo read back), stops it and returns the file, the bench and
// serve's standard error.
func recordEcho(t *testing.T, conns, lines int, extra ...string) (string, *lab.Bench, string) {
	t.Helper()
	labdirtest.Temp(t)
	var bench *lab.Bench
	old := newBench
	newBench = func(o lab.HubOptions) *lab.Bench {
		o.MaxBytes = 2 << 20
		bench = old(o)
		return bench
	}
	t.Cleanup(func() { newBench = old })
	file := filepath.Join(t.TempDir(), "long.protolab")
	r := startServe(t, append([]string{"--only", "tcp", "--port", "tcp=0", "--json", "--record", file}, extra...)...)
	rec := r.record(t)
	if rec.Event != "listening" {
		t.Fatalf("first line %+v, want listening", rec)
	}
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := net.Dial("tcp", rec.Addr)
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close()
			br := bufio.NewReader(conn)
			for i := range lines {
				line := fmt.Sprintf("connection %d line %d: the quick brown fox jumps over the lazy dog\n", c, i)
				if _, err := conn.Write([]byte(line)); err != nil {
					errs <- err
					return
				}
				if got, err := br.ReadString('\n'); err != nil || got != line {
					errs <- fmt.Errorf("echo %q, %v; want %q", got, err, line)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	r.cancel()
	var last string
	for l := range r.lines {
		last = l
	}
	if code := <-r.code; code != 0 {
		t.Fatalf("serve --record exit code %d; stderr: %s", code, r.stderr)
	}
	var done struct{ Event, File string }
	if json.Unmarshal([]byte(last), &done); done.Event != "recorded" || done.File != file {
		t.Fatalf("last line %q, want the recorded line", last)
	}
	return file, bench, r.stderr.String()
}

// sentLines counts the lines the clients sent that the session holds.
func sentLines(s *labfile.Session) int {
	var all strings.Builder
	for _, e := range s.Events {
		if e.Kind == lab.KindData && e.Dir == lab.ClientToServer {
			all.Write(e.Data)
		}
	}
	return strings.Count(all.String(), "\n")
}

// TestServeRecordKeepsEveryEvent: 100 connections × 100 lines are far more
// than the hub holds, and the recording keeps them all.
func TestServeRecordKeepsEveryEvent(t *testing.T) {
	file, bench, stderr := recordEcho(t, 100, 100)
	if bench.Hub().Stats().Dropped == 0 {
		t.Fatal("the hub dropped nothing: the test shows nothing")
	}
	s, err := labfile.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if s.Lost != 0 || strings.Contains(stderr, "left out") {
		t.Errorf("the recording lost %d events; stderr: %s", s.Lost, stderr)
	}
	if n := sentLines(s); n != 100*100 {
		t.Errorf("the session holds %d of the 10000 lines sent", n)
	}
	if len(s.Conversations) != 100 {
		t.Errorf("%d conversations, want 100", len(s.Conversations))
	}
}

// TestServeRecordLimit: with --record-limit the file keeps the newest events
// within about the limit, and serve says how many it left out.
func TestServeRecordLimit(t *testing.T) {
	file, _, stderr := recordEcho(t, 100, 100, "--record-limit", "256K")
	s, err := labfile.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if s.Lost == 0 || !strings.Contains(stderr, fmt.Sprintf("left out its %d oldest events (to keep within --record-limit 256K)", s.Lost)) {
		t.Errorf("lost %d; stderr: %s", s.Lost, stderr)
	}
	if n := sentLines(s); n == 0 || n >= 100*100 {
		t.Errorf("the session holds %d of the 10000 lines sent", n)
	}
	if st, err := os.Stat(file); err != nil || st.Size() > 256<<10*9/8 {
		t.Errorf("the file has %d bytes (%v), for a limit of 256 KiB", st.Size(), err)
	}
}

// TestServeRecordLimitUsage: the limit needs --record and a size.
func TestServeRecordLimitUsage(t *testing.T) {
	file := filepath.Join(t.TempDir(), "x.protolab")
	for _, args := range [][]string{
		{"--record-limit", "1G"},
		{"--record", file, "--record-limit", "lots"},
		{"--record", file, "--record-limit", "0"},
		{"--record", file, "--record-limit", "-5M"},
	} {
		if code, _, stderr := run(t, append([]string{"serve"}, args...)...); code != 2 || stderr == "" {
			t.Errorf("serve %v: exit %d, stderr %q; want 2 and why", args, code, stderr)
		}
	}
	for in, want := range map[string]int64{"1048576": 1 << 20, "500M": 500 << 20, "2g": 2 << 30, "64KiB": 64 << 10, "1TB": 1 << 40} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}
