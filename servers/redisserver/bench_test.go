package redisserver

import (
	"net"
	"os/exec"
	"regexp"
	"strconv"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/redis"
	"github.com/protocollab/protolab/protocols/redis/redistest"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/internal/servertest"
)

// BenchmarkRedisBenchmark runs Debian's redis-benchmark (GET and SET, 10
// connections, b.N requests of each, at least 1000) against the lab's server
// with its capture and analyzer on as the app runs them ("lab-captured") and
// off ("lab-uncaptured"), and against Debian's redis-server started on a free
// port without persistence ("redis-server"), and reports the requests per
// second of each command. Skipped when redis-benchmark is absent; the
// redis-server case when redis-server is.
//
//	go test -run '^$' -bench RedisBenchmark -benchtime 100000x ./servers/redisserver/
func BenchmarkRedisBenchmark(b *testing.B) {
	if _, err := exec.LookPath("redis-benchmark"); err != nil {
		b.Skip("redis-benchmark is not installed")
	}
	for _, server := range []string{"lab-captured", "lab-uncaptured", "redis-server"} {
		b.Run(server, func(b *testing.B) {
			var addr string
			other := 0 // the server's process, when it is not this one
			switch server {
			case "redis-server":
				addr, other = redistest.StartPID(b)
			case "lab-captured":
				reg := &lab.Registry{}
				reg.Register(tcp.Protocol())
				p := redis.Protocol()
				reg.Register(p)
				// A hub of the default size: old events are dropped as in the app.
				addr, _, _ = testServer(b, Options{Tap: lab.NewHub(lab.HubOptions{Registry: reg}).Tap(p)})
			default:
				srv, err := New(Options{})
				if err != nil {
					b.Fatal(err)
				}
				addr = startServer(b, srv)
			}
			host, port, _ := net.SplitHostPort(addr)
			n := max(b.N, 1000)
			b.ResetTimer()
			cpu0 := servertest.CPUTime(b, other)
			out, err := exec.Command("redis-benchmark", "-h", host, "-p", port, "--user", "lab", "-a", "lab",
				"-q", "-t", "get,set", "-n", strconv.Itoa(n), "-c", "10").CombinedOutput()
			cpu := servertest.CPUTime(b, other) - cpu0
			b.StopTimer()
			if err != nil {
				b.Fatalf("redis-benchmark: %v\n%s", err, out)
			}
			// The server's CPU per request (GET and SET, n of each): on a busy
			// machine a steadier figure than the rates.
			b.ReportMetric(float64(cpu.Microseconds())/float64(2*n), "server-cpu-µs/req")
			for _, cmd := range []string{"SET", "GET"} {
				m := regexp.MustCompile(cmd + `: ([0-9.]+) requests per second`).FindSubmatch(out)
				if m == nil {
					b.Fatalf("redis-benchmark gave no %s figure:\n%s", cmd, out)
				}
				rps, _ := strconv.ParseFloat(string(m[1]), 64)
				b.ReportMetric(rps, cmd+"-req/s")
			}
			b.ReportMetric(0, "ns/op") // the requests per second are the figures
		})
	}
}

// startServer serves srv untapped on 127.0.0.1:0 until the benchmark ends.
func startServer(b *testing.B, srv *Server) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(l)
	b.Cleanup(func() { srv.Close() })
	<-srv.Started()
	return l.Addr().String()
}
