package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestNoLocaleNoise runs the real binary under the locales of containers and CI
// machines, and a real one: none of them makes it complain on standard error.
// `serve --help` touches no port and exits at once, after every package has
// initialized, which is where the toolkit reads the locale.
func TestNoLocaleNoise(t *testing.T) {
	bin := buildLab(t)
	for _, locale := range []string{"C.UTF-8", "C", "POSIX", "C.utf8", "en_US.UTF-8"} {
		cmd := exec.Command(bin, "serve", "--help")
		var env []string
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "LANG=") && !strings.HasPrefix(kv, "LC_") && !strings.HasPrefix(kv, "LANGUAGE=") {
				env = append(env, kv)
			}
		}
		cmd.Env = append(env, "LANG="+locale)
		out, _ := cmd.CombinedOutput()
		if !strings.Contains(string(out), "Usage of serve") {
			t.Fatalf("LANG=%s: serve --help printed no usage:\n%s", locale, out)
		}
		if strings.Contains(string(out), "Fyne error") || strings.Contains(string(out), "locale") {
			t.Errorf("LANG=%s: the lab complained about the locale:\n%s", locale, out)
		}
	}
}
