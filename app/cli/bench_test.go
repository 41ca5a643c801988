package cli

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/internal/outside"
	"github.com/protocollab/protolab/lab"
)

// BenchmarkServeHTTP measures `protolab serve --only http` as people run it,
// from outside: wrk (one thread, 1 or 50 kept-alive connections, GET
// /status/200) against serve with the capture off ("capture=false"), on with
// its text log ("capture=true") and on with --json ("json"), and against
// nginx with one worker ("nginx"). Unlike the servers' own benchmarks, the
// client is not in the lab's process, so its work and its garbage are not
// counted against the capture, and serve's log is. Each serve runs in a
// process of its own. Each run loads the server for warm seconds first (the
// hub then holds its bound), then measures for run seconds; b.N is not used.
// It reports wrk's rate and the serving process's CPU a request (none for
// nginx). Skipped without wrk.
func BenchmarkServeHTTP(b *testing.B) {
	if _, err := exec.LookPath("wrk"); err != nil {
		b.Skip("wrk is not installed (apt-get install wrk, or scripts/setup bench)")
	}
	const warm, run = 4 * time.Second, 8 * time.Second
	for _, conns := range []int{1, 50} {
		for _, role := range []string{"capture=false", "capture=true", "json", "nginx"} {
			b.Run(fmt.Sprintf("conns=%d/%s", conns, role), func(b *testing.B) {
				var addr string
				pid := 0
				if role == "nginx" {
					addr = outside.Nginx(b)
				} else {
					addr, pid = serveForBench(b, role)
				}
				url := "http://" + addr + "/status/200"
				wrk(b, url, conns, warm)
				if pid == 0 { // nginx: its rate only
					b.ReportMetric(wrk(b, url, conns, run), "req/s")
				} else {
					cpu0 := outside.ProcessCPU(b, pid)
					rate := wrk(b, url, conns, run)
					cpu := outside.ProcessCPU(b, pid) - cpu0
					b.ReportMetric(float64(cpu.Microseconds())/(rate*run.Seconds()), "server-cpu-µs/req")
					b.ReportMetric(rate, "req/s")
				}
				b.ReportMetric(0, "ns/op") // the requests per second are the figure
			})
		}
	}
}

// serveForBench runs serve's HTTP server for the benchmark in a process of
// its own, as a person runs it (its memory limit included; no earlier run's
// garbage in its heap), with its log discarded. It returns where the server
// listens and the process's ID.
func serveForBench(b *testing.B, role string) (addr string, pid int) {
	args := []string{"serve", "--only", "http", "--port", "http=0"}
	switch role {
	case "capture=false":
		args = append(args, "--capture=false")
	case "json":
		args = append(args, "--json")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeForBench$")
	cmd.Env = append(os.Environ(), benchServeEnv+"="+strings.Join(args, " "))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	})
	got := make(chan string, 1)
	go func() {
		r := bufio.NewReader(out)
		line, _ := r.ReadString('\n')
		got <- line
		io.Copy(io.Discard, r)
	}()
	select {
	case line := <-got:
		m := regexp.MustCompile(`"addr":"([^"]+)"|listening on (\S+)`).FindStringSubmatch(line)
		if m == nil {
			b.Fatalf("serve's first line names no address: %q", line)
		}
		return m[1] + m[2], cmd.Process.Pid
	case <-time.After(15 * time.Second):
		b.Fatal("serve did not listen within 15 s")
	}
	return "", 0
}

// benchServeEnv holds the serve command line TestServeForBench runs.
const benchServeEnv = "PROTOLAB_BENCH_SERVE"

// TestServeForBench is BenchmarkServeHTTP's server process: it runs the
// command line in PROTOLAB_BENCH_SERVE until interrupted, and is skipped
// without it.
func TestServeForBench(t *testing.T) {
	line := os.Getenv(benchServeEnv)
	if line == "" {
		t.Skip("the server process of BenchmarkServeHTTP")
	}
	limitMemory = lab.LimitMemory
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if code := Main(ctx, strings.Fields(line), os.Stdout, os.Stderr); code != 0 {
		t.Fatalf("serve: exit code %d", code)
	}
}

// wrk loads url for d with conns connections and returns its requests a second.
func wrk(b *testing.B, url string, conns int, d time.Duration) float64 {
	out, err := exec.Command("wrk", "-t1", "-c"+strconv.Itoa(conns), "-d"+strconv.Itoa(int(d.Seconds()))+"s", url).CombinedOutput()
	if err != nil {
		b.Fatalf("wrk: %v\n%s", err, out)
	}
	if m := regexp.MustCompile(`(\d+) requests in`).FindSubmatch(out); m == nil || string(m[1]) == "0" {
		b.Fatalf("wrk made no requests:\n%s", out)
	}
	if bytes.Contains(out, []byte("Non-2xx")) || bytes.Contains(out, []byte("Socket errors")) {
		b.Fatalf("wrk saw errors:\n%s", out)
	}
	m := regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		b.Fatalf("wrk gave no rate:\n%s", out)
	}
	rate, _ := strconv.ParseFloat(string(m[1]), 64)
	return rate
}
