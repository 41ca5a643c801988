// Package outside starts servers nobody here wrote — nginx, Mailpit — on free
// ports of 127.0.0.1 with their files in a test's temporary folder, so that a
// benchmark runs the same load against them and the lab's server in one run.
// Each skips the test or benchmark, saying what to install, when its program
// is missing, and stops with it.
package outside

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Nginx runs nginx with one worker process (Debian package nginx), answering
// GET /status/200 with "200 OK\n" as the lab's HTTP server does, and returns
// its address.
func Nginx(tb testing.TB) string {
	tb.Helper()
	bin := find(tb, "nginx", "/usr/sbin/nginx", "nginx (apt-get install nginx, or scripts/setup bench)")
	dir := tb.TempDir()
	return start(tb, "nginx", func(port int) *exec.Cmd {
		conf := filepath.Join(dir, "nginx.conf")
		os.WriteFile(conf, fmt.Appendf(nil, nginxConfig, dir, dir, dir, dir, dir, dir, dir, port), 0o600)
		return exec.Command(bin, "-p", dir, "-c", conf, "-e", filepath.Join(dir, "error.log"))
	}, func(c net.Conn) bool {
		fmt.Fprint(c, "GET /status/200 HTTP/1.0\r\n\r\n")
		b := make([]byte, 12)
		n, _ := c.Read(b)
		return bytes.HasPrefix(b[:n], []byte("HTTP/1.1 200"))
	})
}

const nginxConfig = `worker_processes 1;
daemon off;
pid %s/nginx.pid;
error_log %s/error.log;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path %s/body;
	proxy_temp_path %s/proxy;
	fastcgi_temp_path %s/fastcgi;
	uwsgi_temp_path %s/uwsgi;
	scgi_temp_path %s/scgi;
	keepalive_requests 10000000;
	server {
		listen 127.0.0.1:%d;
		location = /status/200 {
			default_type "text/plain; charset=utf-8";
			return 200 "200 OK\n";
		}
	}
}
`

// Mailpit runs Mailpit (github.com/axllent/mailpit; its path in $MAILPIT, or
// mailpit on $PATH: scripts/bench builds it) storing mail in a database file
// in a temporary folder, accepting any sender and recipient, and returns its
// SMTP address.
func Mailpit(tb testing.TB) string {
	tb.Helper()
	bin := os.Getenv("MAILPIT")
	if bin == "" {
		bin = find(tb, "mailpit", "", "Mailpit (scripts/bench builds it: go install github.com/axllent/mailpit@v1.33.1)")
	}
	dir := tb.TempDir()
	web := freePort(tb)
	return start(tb, "mailpit", func(port int) *exec.Cmd {
		return exec.Command(bin, "--smtp", "127.0.0.1:"+strconv.Itoa(port), "--listen", "127.0.0.1:"+strconv.Itoa(web),
			"--database", filepath.Join(dir, "mailpit.db"), "--max", "0", "--quiet")
	}, func(c net.Conn) bool {
		b := make([]byte, 3)
		n, _ := c.Read(b)
		return string(b[:n]) == "220"
	})
}

// find returns the path of program name, or skips naming what to install.
func find(tb testing.TB, name, fallback, what string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if fallback != "" {
		if _, err := os.Stat(fallback); err == nil {
			return fallback
		}
	}
	tb.Skipf("%s is not installed: %s", name, what)
	return ""
}

// start runs the command cmd makes for a free port until tb ends, once ready
// says the server answers on it, and returns its address.
func start(tb testing.TB, name string, cmd func(port int) *exec.Cmd, ready func(net.Conn) bool) string {
	tb.Helper()
	for try := 0; ; try++ {
		port := freePort(tb)
		c := cmd(port)
		var out syncBuffer
		c.Stdout, c.Stderr = &out, &out
		c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its workers end with it
		if err := c.Start(); err != nil {
			tb.Fatalf("starting %s: %v", name, err)
		}
		exited := make(chan error, 1)
		go func() { exited <- c.Wait() }()
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		if err := wait(addr, exited, ready); err != nil {
			syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
			<-exited
			if try < 3 {
				continue // another program took the port meanwhile
			}
			tb.Fatalf("%s did not start: %v\n%s", name, err, out.String())
		}
		tb.Cleanup(func() {
			syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
			<-exited
		})
		return addr
	}
}

// wait waits until ready says yes on a connection to addr, or the server exits.
func wait(addr string, exited <-chan error, ready func(net.Conn) bool) error {
	deadline := time.Now().Add(20 * time.Second)
	for delay := time.Millisecond; time.Now().Before(deadline); delay = min(2*delay, 100*time.Millisecond) {
		select {
		case err := <-exited:
			return fmt.Errorf("it exited: %v", err)
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.SetDeadline(time.Now().Add(5 * time.Second))
			ok := ready(c)
			c.Close()
			if ok {
				return nil
			}
		}
		time.Sleep(delay)
	}
	return fmt.Errorf("no answer on %s", addr)
}

func freePort(tb testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
