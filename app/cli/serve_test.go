package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
)

// serveRun runs `protolab serve args...` in-process and gives its output line by line.
type serveRun struct {
	cancel context.CancelFunc
	lines  chan string
	stderr *syncBuffer
	code   chan int
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
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

func startServe(t *testing.T, args ...string) *serveRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	r := &serveRun{cancel: cancel, lines: make(chan string, 10000), stderr: &syncBuffer{}, code: make(chan int, 1)}
	go func() {
		r.code <- Main(ctx, append([]string{"serve"}, args...), pw, r.stderr)
		pw.Close()
	}()
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			r.lines <- sc.Text()
		}
		close(r.lines)
	}()
	t.Cleanup(cancel)
	return r
}

func (r *serveRun) next(t *testing.T) string {
	t.Helper()
	select {
	case l, ok := <-r.lines:
		if !ok {
			t.Fatalf("serve ended early; stderr: %s", r.stderr)
		}
		return l
	case <-time.After(10 * time.Second):
		t.Fatalf("no output from serve within 10 s; stderr: %s", r.stderr)
	}
	return ""
}

func (r *serveRun) record(t *testing.T) lab.Record {
	t.Helper()
	l := r.next(t)
	var rec lab.Record
	if err := json.Unmarshal([]byte(l), &rec); err != nil {
		t.Fatalf("line %q is not JSON: %v", l, err)
	}
	return rec
}

func TestServeJSON(t *testing.T) {
	r := startServe(t, "--only", "tcp,udp", "--port", "tcp=0", "--port", "udp=0", "--json")
	addrs := map[string]string{}
	for i := 0; i < 2; i++ {
		l := r.next(t)
		var rec lab.Record
		if err := json.Unmarshal([]byte(l), &rec); err != nil || rec.Event != "listening" {
			t.Fatalf("line %d = %q, want a listening line", i, l)
		}
		// The listening line is a contract: exactly these keys, in this order.
		want := `{"event":"listening","protocol":"` + rec.Protocol + `","addr":"` + rec.Addr + `"}`
		if l != want {
			t.Errorf("listening line = %s, want %s", l, want)
		}
		if !strings.HasPrefix(rec.Addr, "127.0.0.1:") {
			t.Errorf("%s listens on %s, want 127.0.0.1 by default", rec.Protocol, rec.Addr)
		}
		addrs[rec.Protocol] = rec.Addr
	}
	if addrs["tcp"] == "" || addrs["udp"] == "" {
		t.Fatalf("listening on %v, want tcp and udp", addrs)
	}

	// An outside client nobody here wrote: Python's socket module.
	py := `import socket,sys
h,p=sys.argv[1].rsplit(":",1)
s=socket.create_connection((h,int(p)),5)
s.sendall(b"hello lab\n")
b=b""
while len(b)<10: b+=s.recv(100)
s.close()
u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); u.settimeout(5)
h,p=sys.argv[2].rsplit(":",1)
u.sendto(b"ping",(h,int(p)))
print(b.decode().strip(), u.recv(100).decode())`
	out, err := exec.Command("python3", "-c", py, addrs["tcp"], addrs["udp"]).CombinedOutput()
	if err != nil {
		t.Fatalf("python client: %v: %s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "hello lab ping" {
		t.Errorf("python client got %q, want %q", got, "hello lab ping")
	}

	seen := map[string]bool{}
	var tcpData []string
	deadline := time.After(10 * time.Second)
	for !(seen["tcp close"] && seen["udp data"] && seen["udp message"] && seen["tcp message"] &&
		seen["tcp handshake"] && seen["tcp state"] && len(tcpData) >= 2) {
		select {
		case <-deadline:
			t.Fatalf("events seen %v, tcp data %q; want tcp open/handshake/data/message/state/close and udp data/message", seen, tcpData)
		default:
		}
		rec := r.record(t)
		seen[rec.Protocol+" "+rec.Event] = true
		if rec.Event == "data" && rec.Protocol == "tcp" {
			tcpData = append(tcpData, rec.Dir+" "+string(rec.Data))
		}
	}
	if tcpData[0] != "c2s hello lab\n" || tcpData[1] != "s2c hello lab\n" {
		t.Errorf("tcp data events %q, want the request then its echo", tcpData)
	}
	for _, want := range []string{"tcp open", "tcp handshake", "tcp message", "tcp state"} {
		if !seen[want] {
			t.Errorf("no %q event in the JSON log", want)
		}
	}

	r.cancel()
	var stopped []string
	for l := range r.lines {
		var rec lab.Record
		json.Unmarshal([]byte(l), &rec)
		if rec.Event == "stopped" {
			stopped = append(stopped, rec.Protocol)
		}
	}
	if code := <-r.code; code != 0 {
		t.Errorf("exit code %d after cancel, want 0; stderr: %s", code, r.stderr)
	}
	if strings.Join(stopped, ",") != "tcp,udp" {
		t.Errorf("stopped lines for %v, want tcp,udp", stopped)
	}
}

func TestServeText(t *testing.T) {
	r := startServe(t, "--only", "tcp", "--port", "tcp=0")
	l := r.next(t)
	if !strings.HasPrefix(l, "tcp listening on 127.0.0.1:") {
		t.Fatalf("first line %q, want \"tcp listening on 127.0.0.1:...\"", l)
	}
	addr := strings.Fields(l)[3]
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("hi\n"))
	io.ReadFull(c, make([]byte, 3))
	c.Close()
	var lines []string
	for !strings.Contains(strings.Join(lines, "\n"), "LAST-ACK → CLOSED") {
		lines = append(lines, r.next(t))
	}
	log := strings.Join(lines, "\n")
	for _, want := range []string{"open: tcp 127.0.0.1:", "[tcp] SYN", `[tcp] 3 bytes "hi\n"`, "[tcp] FIN · the client closes first", "ESTABLISHED → CLOSE-WAIT"} {
		if !strings.Contains(log, want) {
			t.Errorf("text log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "close: ") {
		t.Errorf("text log repeats raw close events next to the FIN messages:\n%s", log)
	}
	r.cancel()
	if code := <-r.code; code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

func TestServePortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	r := startServe(t, "--only", "tcp", "--port", "tcp="+port, "--json")
	rec := r.record(t)
	if rec.Event != "error" || rec.Protocol != "tcp" {
		t.Errorf("first line %+v, want an error event for tcp", rec)
	}
	if code := <-r.code; code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	want := "port " + port + " is in use by another program"
	if !strings.Contains(r.stderr.String(), want) {
		t.Errorf("stderr %q, want it to say %q", r.stderr, want)
	}
}

func TestServeUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--only", "gopher"},
		{"--port", "tcp"},
		{"--port", "tcp=70000"},
		{"--port", "nope=1"},
		{"--listen", "not-an-ip"},
		{"--capture=false", "--record", "x.protolab"},
		{"extra"},
	} {
		var stderr syncBuffer
		code := Main(context.Background(), append([]string{"serve"}, args...), io.Discard, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), "protolab serve") {
			t.Errorf("serve %q: exit %d, stderr %q; want 2 and an explanation", args, code, stderr.String())
		}
	}
}

// TestServeWithoutCapture: `serve --capture=false` starts every server of the
// lab untapped: each listens and serves (a TCP echo, an HTTP GET by curl),
// and the JSON log says nothing but where they listen and that they stopped.
func TestServeWithoutCapture(t *testing.T) {
	old := newBench
	newBench = func(o lab.HubOptions) *lab.Bench {
		b := old(o)
		for _, p := range b.Registry().All() {
			b.SetPort(p.Name, 0)
		}
		return b
	}
	t.Cleanup(func() { newBench = old })
	labdirtest.Temp(t)
	r := startServe(t, "--capture=false", "--json")
	servers := wire.Registry().Servers()
	addrs := map[string]string{}
	for range servers {
		rec := r.record(t)
		if rec.Event != "listening" {
			t.Fatalf("%+v, want a listening line", rec)
		}
		addrs[rec.Protocol] = rec.Addr
	}
	c, err := net.Dial("tcp", addrs["tcp"])
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("hello lab\n"))
	echo, err := bufio.NewReader(c).ReadString('\n')
	c.Close()
	if err != nil || echo != "hello lab\n" {
		t.Errorf("the TCP echo server answered %q, %v", echo, err)
	}
	if out, err := exec.Command("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "http://"+addrs["http"]+"/").CombinedOutput(); err != nil || string(out) != "200" {
		t.Errorf("curl: %v, %s", err, out)
	}
	r.cancel()
	for l := range r.lines {
		var rec lab.Record
		if err := json.Unmarshal([]byte(l), &rec); err != nil || rec.Event != "stopped" {
			t.Errorf("line %s after the listening lines, want only stopped lines", l)
		}
	}
	if code := <-r.code; code != 0 || !strings.Contains(r.stderr.String(), "capture is off") {
		t.Errorf("exit code %d, stderr %q", code, r.stderr)
	}
}
