package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
)

// TestServeWeb runs the web lab headless — `serve --only dns,http,https,ws` —
// and drives it with clients nobody here wrote: dig, curl over HTTP/2 with the
// exported CA, and Python's websockets (skipped where missing).
func TestServeWeb(t *testing.T) {
	labdirtest.Temp(t)
	r := startServe(t, "--only", "dns,http,https,ws", "--port", "dns=0", "--port", "http=0", "--port", "https=0", "--port", "ws=0", "--json")
	addrs := map[string]string{}
	for range 4 {
		var rec lab.Record
		if l := r.next(t); json.Unmarshal([]byte(l), &rec) != nil || rec.Event != "listening" {
			t.Fatalf("line %q, want a listening line", l)
		}
		addrs[rec.Protocol] = rec.Addr
	}
	for _, p := range []string{"dns", "http", "https", "ws"} {
		if !strings.HasPrefix(addrs[p], "127.0.0.1:") {
			t.Fatalf("%s listens on %q, want 127.0.0.1", p, addrs[p])
		}
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	var out, errb syncBuffer
	if code := Main(t.Context(), []string{"ca", "export", ca}, &out, &errb); code != 0 {
		t.Fatalf("ca export = %d: %s", code, errb.String())
	}

	if dig, err := exec.LookPath("dig"); err == nil {
		host, port, _ := strings.Cut(addrs["dns"], ":")
		b, err := exec.Command(dig, "@"+host, "-p", port, "+short", "www.lab.test").CombinedOutput()
		if err != nil || strings.TrimSpace(string(b)) != "127.0.0.1" {
			t.Errorf("dig www.lab.test = %q (%v), want 127.0.0.1", b, err)
		}
	}
	if curl, err := exec.LookPath("curl"); err == nil {
		_, port, _ := strings.Cut(addrs["https"], ":")
		b, err := exec.Command(curl, "-sS", "--http2", "--cacert", ca, "-o", os.DevNull, "-w", "%{http_version}",
			"--resolve", "www.lab.test:"+port+":127.0.0.1", "https://www.lab.test:"+port+"/echo").CombinedOutput()
		if err != nil || string(b) != "2" {
			t.Errorf("curl --http2 = %q (%v), want HTTP/2 over TLS trusted with the exported CA", b, err)
		}
	}
	py := "/usr/bin/python3"
	if exec.Command(py, "-c", "import websockets").Run() != nil {
		t.Log("Python's websockets (Debian package python3-websockets) is missing: WebSocket part skipped")
	} else {
		script := `import asyncio, sys, websockets
async def main():
    async with websockets.connect(sys.argv[1]) as ws:
        await ws.send("hi from python")
        print(await ws.recv())
asyncio.run(main())`
		b, err := exec.Command(py, "-c", script, "ws://"+addrs["ws"]+"/ws/echo").CombinedOutput()
		if err != nil || strings.TrimSpace(string(b)) != "hi from python" {
			t.Errorf("python websockets echo = %q (%v)", b, err)
		}
	}

	seen := map[string]bool{}
	deadline := time.After(10 * time.Second)
	for !(seen["https tls"] && seen["https h2"] && seen["ws ws"]) {
		select {
		case <-deadline:
			t.Fatalf("messages seen by protocol and layer: %v; want TLS and HTTP/2 inside HTTPS, and WebSocket frames", seen)
		default:
		}
		rec := r.record(t)
		if rec.Event == "message" || rec.Event == "handshake" {
			seen[rec.Protocol+" "+rec.Layer] = true
		}
	}
	r.cancel()
	for range r.lines {
	}
	if code := <-r.code; code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}
