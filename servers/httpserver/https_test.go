package httpserver_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labca"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
	"github.com/protocollab/protolab/protocols/tcp"
	"github.com/protocollab/protolab/servers/httpserver"
)

// tlsLab is an HTTPS server started as the lab starts it (NewLabTLS), with its CA
// in a temporary folder, and the CA's certificate exported for outside clients.
type tlsLab struct {
	hub    *lab.Hub
	addr   string // 127.0.0.1:port
	port   string
	caFile string
}

func startLabTLS(t *testing.T, settings map[string]string) *tlsLab {
	t.Helper()
	dir := labdirtest.Temp(t).Config
	reg := &lab.Registry{}
	reg.Register(tcp.Protocol())
	p := &lab.Protocol{Name: "https", Transport: "tcp", Settings: httpserver.TLSSettings}
	reg.Register(p)
	hub := lab.NewHub(lab.HubOptions{Registry: reg})
	srv, err := httpserver.NewLabTLS(lab.ServerOptions{Addr: "127.0.0.1:0", Tap: hub.Tap(p), Settings: settings})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ca, err := labca.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "lab-ca.pem")
	if err := ca.Export(caFile); err != nil {
		t.Fatal(err)
	}
	addr := srv.Addr().String()
	return &tlsLab{hub: hub, addr: addr, port: addr[strings.LastIndexByte(addr, ':')+1:], caFile: caFile}
}

func need(t *testing.T, program string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	if err != nil {
		t.Skipf("%s is not installed (apt package: %s)", program, map[string]string{"curl": "curl", "openssl": "openssl", "python3": "python3"}[program])
	}
	return path
}

// TestCurlHTTPS: curl, trusting the exported lab CA, over HTTP/1.1 and HTTP/2.
func TestCurlHTTPS(t *testing.T) {
	curl := need(t, "curl")
	v, _ := exec.Command(curl, "-V").Output()
	l := startLabTLS(t, nil)
	for _, tt := range []struct{ flag, version string }{
		{"--http1.1", "1.1"},
		{"--http2", "2"},
	} {
		if tt.version == "2" && !bytes.Contains(v, []byte("HTTP2")) {
			t.Log("curl was built without HTTP/2")
			continue
		}
		out, err := exec.Command(curl, "-sS", tt.flag, "--cacert", l.caFile, "--max-time", "10",
			"-o", "/dev/null", "-w", "%{http_code} %{http_version}", "https://"+l.addr+"/echo").CombinedOutput()
		if err != nil {
			t.Fatalf("curl %s: %v\n%s", tt.flag, err, out)
		}
		if got, want := string(out), "200 "+tt.version; got != want {
			t.Errorf("curl %s: %q, want %q", tt.flag, got, want)
		}
	}
	// A lab name, resolved by curl to the server's address, verifies too.
	out, err := exec.Command(curl, "-sS", "--cacert", l.caFile, "--max-time", "10", "--resolve", "www.lab.test:"+l.port+":127.0.0.1",
		"https://www.lab.test:"+l.port+"/echo?format=text").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Host: www.lab.test:"+l.port) {
		t.Errorf("curl https://www.lab.test: %v\n%s", err, out)
	}
	l.hub.Settle()
	// The server is the lab's own: its secrets decrypt curl's connections too.
	if got := len(l.hub.Keys().Lines()); got < 3 {
		t.Errorf("%d key log lines for 3 TLS connections", got)
	}
	https := 0
	for _, ci := range l.hub.Conversations() {
		if ci.Protocol == "https" {
			https++
		}
	}
	if https != 3 {
		t.Errorf("%d https conversations, want 3 (one per curl run)", https)
	}
}

// TestCurlTLSVersions: the "tls" setting as curl sees it.
func TestCurlTLSVersions(t *testing.T) {
	curl := need(t, "curl")
	for _, tt := range []struct {
		setting string
		flags   []string
		ok      bool
	}{
		{httpserver.TLS12Only, []string{"--tlsv1.2", "--tls-max", "1.2"}, true},
		{httpserver.TLS12Only, []string{"--tlsv1.3"}, false},
		{httpserver.TLS13Only, []string{"--tls-max", "1.2"}, false},
		{httpserver.TLS13Only, []string{"--tlsv1.3"}, true},
		{httpserver.TLS12And13, []string{"--tls-max", "1.2"}, true},
	} {
		l := startLabTLS(t, map[string]string{httpserver.SettingTLS: tt.setting})
		args := append([]string{"-sS", "--cacert", l.caFile, "--max-time", "10", "-o", "/dev/null", "-w", "%{http_code}"}, tt.flags...)
		out, err := exec.Command(curl, append(args, "https://"+l.addr+"/")...).CombinedOutput()
		if tt.ok && (err != nil || string(out) != "200") {
			t.Errorf("server %q, curl %v: %v %s, want 200", tt.setting, tt.flags, err, out)
		}
		if !tt.ok && err == nil {
			t.Errorf("server %q, curl %v: succeeded (%s), want a failed handshake", tt.setting, tt.flags, out)
		}
	}
}

// TestOpenSSL: openssl s_client verifies the chain against the exported CA and
// agrees on h2 by ALPN. With HTTP/2 off the server picks http/1.1 from a list that
// has it, and refuses a client that offers h2 alone (RFC 7301 §3.2).
func TestOpenSSL(t *testing.T) {
	openssl := need(t, "openssl")
	for _, tt := range []struct {
		http2, offer string
		ok           bool
		want         string
	}{
		{httpserver.HTTP2On, "h2", true, "ALPN protocol: h2"},
		{httpserver.HTTP2Off, "h2,http/1.1", true, "ALPN protocol: http/1.1"},
		{httpserver.HTTP2Off, "h2", false, "no application protocol"},
	} {
		name := "HTTP/2 " + tt.http2 + ", -alpn " + tt.offer
		l := startLabTLS(t, map[string]string{httpserver.SettingHTTP2: tt.http2})
		cmd := exec.Command(openssl, "s_client", "-connect", l.addr, "-servername", "www.lab.test",
			"-CAfile", l.caFile, "-alpn", tt.offer, "-verify_return_error")
		cmd.Stdin = strings.NewReader("")
		out, err := cmd.CombinedOutput()
		if tt.ok != (err == nil) {
			t.Fatalf("openssl s_client (%s): %v, want success %v\n%s", name, err, tt.ok, out)
		}
		wants := []string{tt.want}
		if tt.ok {
			wants = append(wants, "Verify return code: 0 (ok)", "CN = Protocol Lab local CA")
		}
		for _, want := range wants {
			if !strings.Contains(string(out), want) {
				t.Errorf("openssl s_client (%s) does not say %q:\n%s", name, want, out)
			}
		}
	}
}

// TestPythonHTTPS: Python's ssl and http.client with the exported CA.
func TestPythonHTTPS(t *testing.T) {
	python := need(t, "python3")
	l := startLabTLS(t, nil)
	py := `import ssl, sys, http.client, json
ctx = ssl.create_default_context(cafile=sys.argv[1])
c = http.client.HTTPSConnection("127.0.0.1", int(sys.argv[2]), context=ctx, timeout=10)
c.request("POST", "/echo", body=b"from python", headers={"Content-Type": "text/plain"})
r = c.getresponse()
e = json.loads(r.read())
print(r.status, e["proto"], e["body"], c.sock.version())`
	out, err := exec.Command(python, "-c", py, l.caFile, l.port).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	if got, want := strings.TrimSpace(string(out)), "200 HTTP/1.1 from python TLSv1.3"; got != want {
		t.Errorf("python: %q, want %q", got, want)
	}
}

func TestLabSettings(t *testing.T) {
	labdirtest.Temp(t)
	missing := filepath.Join(t.TempDir(), "nowhere")
	file := filepath.Join(t.TempDir(), "page.html")
	os.WriteFile(file, []byte("<p>hi</p>"), 0o644)
	for _, tt := range []struct {
		settings map[string]string
		want     string
	}{
		{map[string]string{httpserver.SettingDocroot: missing}, "does not exist"},
		{map[string]string{httpserver.SettingDocroot: file}, "is a file, not a folder"},
		{map[string]string{httpserver.SettingTLS: "1.1"}, "TLS versions"},
		{map[string]string{httpserver.SettingHTTP2: "maybe"}, "HTTP/2"},
	} {
		_, err := httpserver.NewLabTLS(lab.ServerOptions{Addr: "127.0.0.1:0", Settings: tt.settings})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewLabTLS(%v) = %v, want an error saying %q", tt.settings, err, tt.want)
		}
		if _, ok := tt.settings[httpserver.SettingDocroot]; ok {
			if _, err := httpserver.NewLab(lab.ServerOptions{Addr: "127.0.0.1:0", Settings: tt.settings}); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewLab(%v) = %v, want an error saying %q", tt.settings, err, tt.want)
			}
		}
	}
}

// TestDocroot serves a folder the person picked, over HTTP and HTTPS.
func TestDocroot(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("<h1>my own page</h1>"), 0o644)
	caDir := labdirtest.Temp(t).Config
	for scheme, newLab := range map[string]func(lab.ServerOptions) (lab.Server, error){"http": httpserver.NewLab, "https": httpserver.NewLabTLS} {
		srv, err := newLab(lab.ServerOptions{Addr: "127.0.0.1:0", Settings: map[string]string{httpserver.SettingDocroot: dir}})
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		ca, err := labca.Open(caDir)
		if err != nil {
			t.Fatal(err)
		}
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}}
		resp, err := c.Get(scheme + "://" + srv.Addr().String() + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), "my own page") {
			t.Errorf("%s / = %q, want the docroot's index.html", scheme, body)
		}
	}
}

// TestShutdownTLS: Shutdown of an HTTPS server ends Serve with ErrServerClosed.
func TestShutdownTLS(t *testing.T) {
	labdirtest.Temp(t)
	srv, err := httpserver.NewLabTLS(lab.ServerOptions{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Shutdown(context.Background()); err != nil && !errors.Is(err, httpserver.ErrServerClosed) {
		t.Errorf("Shutdown = %v", err)
	}
}
