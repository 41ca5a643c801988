package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestServeConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "lab.json")
	os.WriteFile(cfg, []byte(`{"servers": {"tcp": {"port": 0, "settings": {"mode": "chat"}}, "udp": {"off": true}}}`), 0o600)
	r := startServe(t, "--config", cfg, "--json")
	rec := r.record(t)
	if rec.Event != "listening" || rec.Protocol != "tcp" {
		t.Fatalf("first line %+v, want tcp listening (udp is off in the config)", rec)
	}
	r.cancel()
	for l := range r.lines {
		if strings.Contains(l, `"protocol":"udp"`) {
			t.Errorf("udp started although the config turns it off: %s", l)
		}
	}
	if code := <-r.code; code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
}

func TestServeBadConfig(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"typo":    `{"servres": {}}`,
		"unknown": `{"servers": {"gopher": {}}}`,
		"choice":  `{"servers": {"tcp": {"settings": {"mode": "shout"}}}}`,
		"port":    `{"servers": {"tcp": {"port": 99999}}}`,
		"broken":  `{"servers": `,
	} {
		p := filepath.Join(dir, name+".json")
		os.WriteFile(p, []byte(body), 0o600)
		var stderr syncBuffer
		code := Main(context.Background(), []string{"serve", "--config", p}, io.Discard, &stderr)
		if code != 2 || !strings.Contains(stderr.String(), "config") {
			t.Errorf("%s config: exit %d, stderr %q; want 2 and a message about the config", name, code, stderr.String())
		}
	}
}
