package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab/labdir"
)

// buildLab builds the protolab binary once per test run.
func buildLab(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "protolab")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// need finds a program the test drives, failing under CI (whose set-up installs it)
// and skipping elsewhere.
func need(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed; scripts/setup test installs it", name)
		}
		t.Skipf("%s is not installed (scripts/setup test installs it)", name)
	}
	return p
}

// TestServeBinary drives the real binary: `protolab serve --json`, an outside
// client (netcat), then SIGTERM, which must stop every server and exit 0.
func TestServeBinary(t *testing.T) {
	nc := need(t, "nc")
	bin := buildLab(t)
	cmd := exec.Command(bin, "serve", "--only", "tcp", "--port", "tcp=0", "--json")
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() {
		t.Fatalf("no output; stderr: %s", stderr.String())
	}
	var listening struct{ Event, Protocol, Addr string }
	if err := json.Unmarshal(sc.Bytes(), &listening); err != nil || listening.Event != "listening" || listening.Protocol != "tcp" {
		t.Fatalf("first line %q, want the tcp listening line", sc.Text())
	}
	host, port, _ := strings.Cut(listening.Addr, ":")
	// netcat sends a line, half-closes (-N) and prints the echo.
	ncCmd := exec.Command(nc, "-N", "-w", "5", host, port)
	ncCmd.Stdin = strings.NewReader("hello from netcat\n")
	out, err := ncCmd.Output()
	if err != nil || string(out) != "hello from netcat\n" {
		t.Fatalf("nc got %q (%v), want the echo", out, err)
	}
	sawData := false
	for !sawData && sc.Scan() {
		var rec struct {
			Event string
			Data  []byte
		}
		json.Unmarshal(sc.Bytes(), &rec)
		sawData = rec.Event == "data" && string(rec.Data) == "hello from netcat\n"
	}
	if !sawData {
		t.Error("the JSON log never showed netcat's bytes")
	}
	cmd.Process.Signal(syscall.SIGTERM)
	go io.Copy(io.Discard, stdout)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("after SIGTERM: %v (want exit 0); stderr: %s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("protolab serve did not exit within 10 s of SIGTERM")
	}
}

// TestWindowSmoke starts the real desktop app on a virtual X display, waits for
// its window, and checks a screenshot of it shows a drawn window. With
// PROTOLAB_SHOT=path the screenshot is kept there (README.md's picture).
func TestWindowSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the desktop app under Xvfb")
	}
	xvfb := need(t, "Xvfb")
	xdotool := need(t, "xdotool")
	importBin := need(t, "import")
	bin := buildLab(t)

	display := startXvfb(t, xvfb, xdotool)
	home := t.TempDir() // the app's folders, whatever the environment says
	env := append(os.Environ(), "DISPLAY="+display, "LIBGL_ALWAYS_SOFTWARE=1", "HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
		labdir.EnvConfig+"="+filepath.Join(home, "lab"), labdir.EnvData+"="+filepath.Join(home, "lab-data"))
	waitFor(t, 10*time.Second, "the X display", func() bool {
		c := exec.Command(xdotool, "getmouselocation")
		c.Env = env
		return c.Run() == nil
	})

	app := exec.Command(bin)
	app.Env = env
	logPath := filepath.Join(t.TempDir(), "app.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	app.Stdout, app.Stderr = logFile, logFile
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { app.Wait(); close(exited) }()
	defer func() { app.Process.Kill(); <-exited }()
	appLog := func() string { b, _ := os.ReadFile(logPath); return string(b) }
	// Generous: software GL on a loaded 2-core machine, beside the rest of the suite.
	waitFor(t, 180*time.Second, "the Protocol Lab window", func() bool {
		select {
		case <-exited:
			t.Fatalf("the app exited before its window appeared:\n%s", appLog())
		default:
		}
		c := exec.Command(xdotool, "search", "--onlyvisible", "--name", "Protocol Lab")
		c.Env = env
		return c.Run() == nil
	})
	time.Sleep(3 * time.Second) // let the first frames draw; nothing to wait on from outside

	shot := filepath.Join(t.TempDir(), "window.png")
	if keep := os.Getenv("PROTOLAB_SHOT"); keep != "" {
		shot = keep
	}
	c := exec.Command(importBin, "-window", "root", shot)
	c.Env = env
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v: %s", err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if n := colours(img); n < 50 {
		t.Errorf("the screenshot has %d colours: the window did not draw (app output: %s)", n, appLog())
	}
}

func colours(img image.Image) int {
	seen := map[[3]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[[3]uint32{r >> 8, g >> 8, bl >> 8}] = true
		}
	}
	return len(seen)
}

func waitFor(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s after %v", what, limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// startXvfb starts a virtual X display of its own until the test ends, and
// returns its name, ":N". The number is drawn at random (suites running side
// by side in containers share pids, and may share the abstract socket
// namespace) and taken only if nobody answers on it before the server starts.
// The server gets a screen width of its own, and the display counts as up only
// when the answer gives that width and the server is still alive half a second
// later: another server answering for the number would give another width.
func startXvfb(t *testing.T, xvfb, xdotool string) string {
	t.Helper()
	for try := 0; try < 20; try++ {
		n := 100 + rand.IntN(800)
		display := ":" + strconv.Itoa(n)
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n)); err == nil || displayWidth(xdotool, display) != "" {
			continue
		}
		width := strconv.Itoa(1300 + rand.IntN(200))
		// -noreset: by default the server resets when its last client leaves,
		// and a client connecting meanwhile (the app, right after the check
		// that the display answers) is refused.
		x := exec.Command(xvfb, display, "-screen", "0", width+"x900x24", "-nolisten", "tcp", "-noreset")
		if err := x.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { x.Wait(); close(done) }()
		stop := func() {
			// SIGTERM: the server removes its lock and socket, so the number is
			// free for the next one.
			x.Process.Signal(syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				x.Process.Kill()
				<-done
			}
		}
		up := false
		for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
			select {
			case <-done: // it found the number taken
			default:
				w := displayWidth(xdotool, display)
				if w == "" {
					continue
				}
				time.Sleep(500 * time.Millisecond)
				select {
				case <-done:
				default:
					up = w == width && displayWidth(xdotool, display) == width
				}
			}
			break
		}
		if up {
			t.Cleanup(stop)
			return display
		}
		stop()
		t.Logf("Xvfb %s did not come up as ours; trying another number", display)
	}
	t.Fatal("no Xvfb of ours came up in 20 tries")
	return ""
}

// displayWidth is the screen width the X server on display answers with, or
// "" when nobody answers.
func displayWidth(xdotool, display string) string {
	c := exec.Command(xdotool, "getdisplaygeometry")
	c.Env = append(os.Environ(), "DISPLAY="+display)
	out, err := c.Output()
	if err != nil {
		return ""
	}
	w, _, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
	return w
}
