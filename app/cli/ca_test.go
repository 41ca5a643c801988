package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/lab/labdir"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
	"github.com/protocollab/protolab/servers/httpserver"
)

func TestCAExport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "config")
	labdirtest.Temp(t)
	t.Setenv(labdir.EnvConfig, dir)
	file := filepath.Join(t.TempDir(), "lab-ca.pem")
	var stdout, stderr syncBuffer
	if code := Main(context.Background(), []string{"ca", "export", file}, &stdout, &stderr); code != 0 {
		t.Fatalf("ca export: exit %d, stderr %q", code, stderr.String())
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("-----BEGIN CERTIFICATE-----")) || bytes.Contains(b, []byte("PRIVATE KEY")) {
		t.Errorf("exported file is not the certificate alone:\n%s", b)
	}
	out := stdout.String()
	for _, want := range []string{file, dir, "curl --cacert", "https://127.0.0.1:"} {
		if !strings.Contains(out, want) {
			t.Errorf("output does not say %q:\n%s", want, out)
		}
	}
	// The CA was made in the configuration folder, and a second export gives the same one.
	ca, err := labca.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ca.CertPEM(), b) {
		t.Error("the export is not the CA kept in the configuration folder")
	}

	// What the output says works: curl trusts the lab's HTTPS server with the file.
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed (apt package: curl)")
	}
	srv, err := httpserver.NewLabTLS(lab.ServerOptions{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	got, err := exec.Command(curl, "-sS", "--max-time", "10", "--cacert", file, "-o", "/dev/null", "-w", "%{http_code}",
		"https://"+srv.Addr().String()+"/").CombinedOutput()
	if err != nil || string(got) != "200" {
		t.Errorf("curl --cacert %s: %v %s", file, err, got)
	}
}

func TestCAExportErrors(t *testing.T) {
	labdirtest.Temp(t)
	for _, args := range [][]string{{"ca"}, {"ca", "import", "x"}, {"ca", "export"}, {"ca", "export", "a", "b"}} {
		var stderr syncBuffer
		if code := Main(context.Background(), args, io.Discard, &stderr); code != 2 || !strings.Contains(stderr.String(), "protolab ca export FILE") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and the usage", args, code, stderr.String())
		}
	}
	var stderr syncBuffer
	missing := filepath.Join(t.TempDir(), "no", "such", "folder", "ca.pem")
	if code := Main(context.Background(), []string{"ca", "export", missing}, io.Discard, &stderr); code != 1 || !strings.Contains(stderr.String(), "protolab ca export: ") {
		t.Errorf("export to a missing folder: exit %d, stderr %q; want 1 and the reason", code, stderr.String())
	}
	// A damaged CA is a failure that says what to do, and is left as it is.
	dir := labdirtest.Temp(t).Config
	os.WriteFile(filepath.Join(dir, labca.CertFile), []byte("junk"), 0o644)
	os.WriteFile(filepath.Join(dir, labca.KeyFile), []byte("junk"), 0o600)
	stderr = syncBuffer{}
	if code := Main(context.Background(), []string{"ca", "export", filepath.Join(t.TempDir(), "ca.pem")}, io.Discard, &stderr); code != 1 || !strings.Contains(stderr.String(), "makes a new CA") {
		t.Errorf("damaged CA: exit %d, stderr %q; want 1 and what to do", code, stderr.String())
	}
	if b, _ := os.ReadFile(filepath.Join(dir, labca.CertFile)); string(b) != "junk" {
		t.Error("the damaged CA file was replaced")
	}
}

func TestUsageNamesCA(t *testing.T) {
	var out syncBuffer
	Main(context.Background(), []string{"help"}, &out, &out)
	for _, want := range []string{"protolab ca export FILE", "protolab serve [flags]", "PROTOLAB_CONFIG_DIR"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("usage lacks %q:\n%s", want, out.String())
		}
	}
}
