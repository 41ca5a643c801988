// Package redistest runs Debian's redis-server for tests and benchmarks that
// compare the lab with the real thing.
package redistest

import (
	"net"
	"os/exec"
	"testing"
	"time"
)

// Start runs redis-server on a free port of 127.0.0.1, without persistence,
// with the lab's ACL user (lab, password lab) and the default user as args
// set it ("--user", "default", "off"), until the test ends, and returns its
// address. It skips the test when redis-server is not installed.
func Start(t testing.TB, args ...string) string {
	t.Helper()
	addr, _ := StartPID(t, args...)
	return addr
}

// StartPID is Start, and it returns redis-server's process id too.
func StartPID(t testing.TB, args ...string) (string, int) {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command("redis-server", append([]string{"--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--user", "lab", "on", ">lab", "~*", "&*", "+@all"}, args...)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return addr, cmd.Process.Pid
		}
		if i == 100 {
			t.Fatalf("redis-server did not start: %v", err)
		}
		time.Sleep(50 * time.Millisecond) // it starts in milliseconds; this waits for it, up to 5 s
	}
}
