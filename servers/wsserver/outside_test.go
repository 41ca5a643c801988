package wsserver

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pythonScript talks to /ws/echo and /ws/chat with Python's websockets package,
// waiting for a line on stdin between joining the chat and sending to it.
const pythonScript = `
import asyncio, sys, websockets
async def main(base):
    async with websockets.connect(base + "/ws/echo", subprotocols=["echo"]) as ws:
        print("subprotocol", ws.subprotocol)
        await ws.send("hello from outside")
        print("echo", await ws.recv())
        await ws.send(bytes([0, 1, 254]))
        print("binary", (await ws.recv()).hex())
    a = await websockets.connect(base + "/ws/chat", subprotocols=["chat"])
    b = await websockets.connect(base + "/ws/chat")
    print("joined", flush=True)
    sys.stdin.readline()
    await a.send("from a")
    print("b got", await b.recv())
    print("a got", await a.recv())
    await a.close(code=4000, reason="done")
    print("closed", a.close_code)
    await b.close()
asyncio.run(main(sys.argv[1]))
`

// nodeScript does the same with Node's ws package.
const nodeScript = `
const WebSocket = require("ws");
const base = process.argv[2];
const out = (...a) => console.log(...a);
const echo = new WebSocket(base + "/ws/echo", ["echo"]);
echo.on("open", () => { out("subprotocol", echo.protocol); echo.send("hello from outside"); });
let n = 0;
echo.on("message", (data, binary) => {
  if (n++ === 0) { out("echo", data.toString()); echo.send(Buffer.from([0, 1, 254])); return; }
  out("binary", data.toString("hex")); echo.close(1000); chat();
});
function chat() {
  const a = new WebSocket(base + "/ws/chat", ["chat"]);
  a.on("open", () => {
    const b = new WebSocket(base + "/ws/chat");
    b.on("open", () => {
      out("joined");
      process.stdin.once("data", () => a.send("from a"));
    });
    b.on("message", (d) => { out("b got", d.toString()); b.close(); });
    a.on("message", (d) => { out("a got", d.toString()); a.close(4000, "done"); });
    a.on("close", (code) => { out("closed", code); process.exit(0); });
  });
}
`

func TestOutsideClients(t *testing.T) {
	for _, tt := range []struct {
		name  string
		check [][]string // candidate programs and arguments that must succeed
		run   func(prog string, dir, url string) *exec.Cmd
	}{
		{"python websockets", [][]string{{"python3", "-c", "import websockets"}, {"/usr/bin/python3", "-c", "import websockets"}},
			func(prog, dir, url string) *exec.Cmd {
				f := filepath.Join(dir, "client.py")
				os.WriteFile(f, []byte(pythonScript), 0o600)
				return exec.Command(prog, f, url)
			}},
		{"node ws", [][]string{{"node", "-e", "require('ws')"}},
			func(prog, dir, url string) *exec.Cmd {
				f := filepath.Join(dir, "client.js")
				os.WriteFile(f, []byte(nodeScript), 0o600)
				return exec.Command(prog, f, url)
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			prog := ""
			for _, c := range tt.check {
				cmd := exec.Command(c[0], c[1:]...)
				cmd.Env = nodeEnv()
				if cmd.Run() == nil {
					prog = c[0]
					break
				}
			}
			if prog == "" {
				t.Skipf("%s is not installed (apt-get install python3-websockets node-ws)", tt.name)
			}
			srv, base := testServer(t, Options{})
			in := joined(srv)
			cmd := tt.run(prog, t.TempDir(), base)
			cmd.Env = nodeEnv()
			stdin, _ := cmd.StdinPipe()
			stdout, _ := cmd.StdoutPipe()
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			go func() { <-ctx.Done(); cmd.Process.Kill() }()
			var lines []string
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines = append(lines, sc.Text())
				if sc.Text() == "joined" {
					<-in
					<-in
					io.WriteString(stdin, "go\n")
				}
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("%s: %v\n%s\n%s", tt.name, err, strings.Join(lines, "\n"), stderr.String())
			}
			got := strings.Join(lines, "\n")
			for _, want := range []string{"subprotocol echo", "echo hello from outside", "binary 0001fe", "joined", "b got from a", "a got from a", "closed 4000"} {
				if !strings.Contains(got, want) {
					t.Errorf("%s output lacks %q:\n%s", tt.name, want, got)
				}
			}
		})
	}
}

// nodeEnv lets Node find Debian's packaged modules (node-ws installs to /usr/share/nodejs).
func nodeEnv() []string {
	p := "/usr/share/nodejs:/usr/lib/nodejs"
	if v := os.Getenv("NODE_PATH"); v != "" {
		p = v + ":" + p
	}
	return append(os.Environ(), "NODE_PATH="+p)
}
