package main

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
)

// TestNoDisplay starts the window with no display, and with a local display
// nothing serves: each time one line says so and the exit is non-zero, with no
// panic. The test's own HOME keeps the user's folders out of it.
func TestNoDisplay(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("there is always a display on", runtime.GOOS)
	}
	bin := buildLab(t)
	free := ""
	for _, n := range []string{"987", "988", "989"} {
		if _, err := os.Stat("/tmp/.X11-unix/X" + n); err != nil {
			free = ":" + n
			break
		}
	}
	for _, display := range []string{"", free} {
		cmd := exec.Command(bin)
		var env []string
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "DISPLAY=") && !strings.HasPrefix(kv, "HOME=") {
				env = append(env, kv)
			}
		}
		cmd.Env = append(env, "DISPLAY="+display, "HOME="+t.TempDir())
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 {
			t.Errorf("DISPLAY=%q: %v, want exit status 1", display, err)
		}
		text := strings.TrimSpace(string(out))
		if strings.Count(text, "\n") != 0 || !strings.HasPrefix(text, "protolab: no display") {
			t.Errorf("DISPLAY=%q: printed\n%s\nwant one line saying there is no display", display, text)
		}
	}
}
