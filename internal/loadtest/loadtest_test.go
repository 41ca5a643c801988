package loadtest

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/protocollab/protolab/servers/tcpserver"
)

func TestRecorderPercentilesAndFailures(t *testing.T) {
	rec := &Recorder{}
	for range 10 {
		_ = rec.Op(func() error { return nil })
	}
	_ = rec.Op(func() error { return errors.New("boom") })
	rec.FailN(3, errors.New("not sent"))
	var res Result
	rec.Fill(&res)
	if res.Ops != 14 || res.Failures != 4 || res.OK() {
		t.Fatalf("ops %d failures %d ok %v, want 14, 4, false", res.Ops, res.Failures, res.OK())
	}
	if len(res.Errors) != 2 || res.P50 > res.P99 {
		t.Fatalf("errors %q, p50 %s p99 %s", res.Errors, res.P50, res.P99)
	}
}

// The TCP scenario against a real echo server passes, and against a server
// that answers wrong it fails.
func TestTCPEchoScenario(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &tcpserver.Server{}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	target := Target{Addrs: map[string]string{"tcp": ln.Addr().String()}}
	res := RunClients("tcp", 50, 50, time.Minute, func(ctx context.Context, i int, rec *Recorder) { tcpEcho(ctx, target, i, rec) })
	if !res.OK() || res.Ops != 50*Rounds {
		t.Fatalf("against the echo server: %+v", res)
	}

	wrong, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer wrong.Close()
	go func() {
		for {
			c, err := wrong.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); buf := make([]byte, 64); n, _ := c.Read(buf); _, _ = c.Write(make([]byte, n)) }()
		}
	}()
	target.Addrs["tcp"] = wrong.Addr().String()
	res = RunClients("tcp", 5, 5, time.Minute, func(ctx context.Context, i int, rec *Recorder) { tcpEcho(ctx, target, i, rec) })
	if res.OK() || res.Failures != 5 {
		t.Fatalf("against a wrong echo: %+v", res)
	}
}
