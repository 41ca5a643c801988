package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
	"github.com/protocollab/protolab/labfile"
)

// recordSession runs `protolab serve --record FILE` (with extra args), sends one
// HTTP request from Python's urllib, stops serve and returns FILE and serve's
// output lines.
func recordSession(t *testing.T, extra ...string) (string, []string) {
	t.Helper()
	labdirtest.Temp(t)
	file := filepath.Join(t.TempDir(), "lab.protolab")
	r := startServe(t, append([]string{"--only", "http", "--port", "http=0", "--record", file}, extra...)...)
	first := r.next(t)
	lines := []string{first}
	var addr string
	if strings.HasPrefix(first, "{") {
		var rec lab.Record
		json.Unmarshal([]byte(first), &rec)
		addr = rec.Addr
	} else {
		addr = strings.Fields(first)[3]
	}
	py := `import sys,urllib.request,urllib.error
try: print(urllib.request.urlopen("http://"+sys.argv[1]+"/recorded?x=1", timeout=5).status)
except urllib.error.HTTPError as e: print(e.code)`
	if out, err := exec.Command("python3", "-c", py, addr).CombinedOutput(); err != nil {
		t.Fatalf("python client: %v: %s", err, out)
	}
	// The request is in the log before serve is stopped.
	for {
		l := r.next(t)
		lines = append(lines, l)
		if strings.Contains(l, "/recorded?x=1") {
			break
		}
	}
	r.cancel()
	for l := range r.lines {
		lines = append(lines, l)
	}
	if code := <-r.code; code != 0 {
		t.Fatalf("serve --record exit code %d, want 0; stderr: %s", code, r.stderr)
	}
	return file, lines
}

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestServeRecordJSON(t *testing.T) {
	file, lines := recordSession(t, "--json")
	last := lines[len(lines)-1]
	if want := `{"event":"recorded","file":"` + file + `"}`; last != want {
		t.Errorf("last line = %s, want %s", last, want)
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("no session file: %v", err)
	}

	// jsonl: the recorded events are the lines serve printed for them.
	printed := make(map[string]bool)
	for _, l := range lines {
		printed[l] = true
	}
	out := filepath.Join(t.TempDir(), "events.jsonl")
	if code, _, stderr := run(t, "export", "--format", "jsonl", file, "-o", out); code != 0 {
		t.Fatalf("export jsonl = %d: %s", code, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if printed[l] {
			n++
		}
	}
	if n == 0 {
		t.Errorf("none of the %d exported lines is one serve --json printed", strings.Count(string(data), "\n"))
	}
}

func TestServeRecordAndExport(t *testing.T) {
	file, lines := recordSession(t)
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "recorded ") || !strings.HasSuffix(last, " in "+file) {
		t.Errorf("last line = %q, want \"recorded N events of M conversations in %s\"", last, file)
	}

	dir := t.TempDir()
	har := filepath.Join(dir, "lab.har")
	code, stdout, stderr := run(t, "export", "--format", "har", file, "-o", har)
	if code != 0 {
		t.Fatalf("export har = %d: %s", code, stderr)
	}
	if stdout != "wrote "+har+"\n" {
		t.Errorf("stdout = %q", stdout)
	}
	var h struct {
		Log struct {
			Version string
			Entries []struct {
				Request  struct{ Method, URL string }
				Response struct{ Status int }
			}
		}
	}
	data, _ := os.ReadFile(har)
	if err := json.Unmarshal(data, &h); err != nil {
		t.Fatalf("HAR: %v", err)
	}
	if h.Log.Version != "1.2" || len(h.Log.Entries) != 1 || h.Log.Entries[0].Request.Method != "GET" ||
		!strings.HasSuffix(h.Log.Entries[0].Request.URL, "/recorded?x=1") {
		t.Errorf("HAR = %s", data)
	}

	// The default output is FILE with the format's extension; "-" is standard output.
	code, stdout, stderr = run(t, "export", file, "--format", "pcapng")
	pcap := strings.TrimSuffix(file, ".protolab") + ".pcapng"
	if code != 0 || !strings.HasPrefix(stdout, "wrote "+pcap+"\n") {
		t.Fatalf("export pcapng = %d, %q, %s", code, stdout, stderr)
	}
	var std bytes.Buffer
	if code := Main(context.Background(), []string{"export", "--format", "pcapng", "-o", "-", file}, &std, io.Discard); code != 0 {
		t.Fatalf("export -o - = %d", code)
	}
	if onDisk, _ := os.ReadFile(pcap); !bytes.Equal(onDisk, std.Bytes()) {
		t.Errorf("-o - wrote %d bytes, the file %d", std.Len(), len(onDisk))
	}
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Log("tshark is not installed (Debian package tshark): the pcapng is not dissected")
	} else {
		out, err := exec.Command("tshark", "-n", "-r", pcap, "-Y", "http.request", "-T", "fields", "-e", "http.request.uri").Output()
		if err != nil || strings.TrimSpace(string(out)) != "/recorded?x=1" {
			t.Errorf("tshark http.request.uri = %q, %v; want /recorded?x=1", out, err)
		}
	}

	// No mail in an HTTP session: eml fails and says why.
	code, _, stderr = run(t, "export", "--format", "eml", file, "-o", filepath.Join(dir, "mail"))
	if code != 1 || !strings.Contains(stderr, "no mail messages") {
		t.Errorf("export eml = %d, %q; want 1 and the reason", code, stderr)
	}
}

func TestExportUsage(t *testing.T) {
	notSession := filepath.Join(t.TempDir(), "x.protolab")
	os.WriteFile(notSession, []byte("hello"), 0o644)
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"export"}, 2, "exactly one session FILE"},
		{[]string{"export", "a", "b", "--format", "har"}, 2, "exactly one session FILE"},
		{[]string{"export", "a.protolab"}, 2, "which format"},
		{[]string{"export", "--format", "pdf", "a.protolab"}, 2, `--format "pdf"`},
		{[]string{"export", "--format", "eml", "-o", "-", "a.protolab"}, 2, "folder"},
		{[]string{"export", "--format", "har", filepath.Join(t.TempDir(), "missing.protolab")}, 1, "missing.protolab"},
		{[]string{"export", "--format", "har", notSession}, 1, "protolab export: "},
		{[]string{"serve", "--record", "/no/such/folder/x.protolab"}, 2, "does not exist"},
	} {
		code, _, stderr := run(t, tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("%q = %d, %q; want %d and %q", tt.args, code, stderr, tt.code, tt.want)
		}
	}
	// A failed export leaves the output as it was.
	out := filepath.Join(t.TempDir(), "keep.har")
	os.WriteFile(out, []byte("old"), 0o644)
	run(t, "export", "--format", "har", notSession, "-o", out)
	if b, _ := os.ReadFile(out); string(b) != "old" {
		t.Errorf("a failed export changed %s to %q", out, b)
	}
	// Help lists export and --record.
	_, stdout, _ := run(t, "help")
	for _, want := range []string{"protolab export --format pcapng|har|jsonl|eml FILE", "--record FILE"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

// TestExportEML: mail sent with SMTP in a saved session becomes .eml files in a folder.
func TestExportEML(t *testing.T) {
	t0 := time.Now()
	cs := "EHLO me\r\nMAIL FROM:<alice@alpha.test>\r\nRCPT TO:<bob@alpha.test>\r\nDATA\r\n" +
		"From: alice@alpha.test\r\nSubject: hello\r\n\r\n..a dotted line\r\n.\r\nQUIT\r\n"
	s := &labfile.Session{
		Format: labfile.FormatVersion, App: "protolab test", Saved: t0,
		Conversations: []lab.ConvInfo{{ID: 4, Protocol: "smtp", Transport: "tcp", Client: "127.0.0.1:5000", Server: "127.0.0.1:2525",
			Start: t0, End: t0, BytesC2S: int64(len(cs))}},
		Events: []lab.Event{{Seq: 1, At: t0, Conv: 4, Kind: lab.KindData, Dir: lab.ClientToServer, Side: lab.SideServer, Data: []byte(cs)}},
	}
	file := filepath.Join(t.TempDir(), "mail.protolab")
	if err := labfile.Save(file, s); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "export", "--format", "eml", file)
	dir := strings.TrimSuffix(file, ".protolab") + "-mail"
	name := filepath.Join(dir, "001-smtp-4.eml")
	if code != 0 || stdout != "wrote "+name+"\n" {
		t.Fatalf("export eml = %d, %q, %s", code, stdout, stderr)
	}
	got, _ := os.ReadFile(name)
	if want := "From: alice@alpha.test\r\nSubject: hello\r\n\r\n.a dotted line\r\n"; string(got) != want {
		t.Errorf("%s = %q, want %q", name, got, want)
	}
}

// TestExportRefusesWindowsNames: -o names a file every system can hold.
func TestExportRefusesWindowsNames(t *testing.T) {
	file, _ := recordSession(t)
	for _, name := range []string{"CON.pcapng", "out.har:stream", "trail. "} {
		out := filepath.Join(t.TempDir(), name)
		if code, _, stderr := run(t, "export", "--format", "har", file, "-o", out); code != 2 || !strings.Contains(stderr, "Windows") {
			t.Errorf("export -o %q: exit %d, stderr %q; want 2 and the rule", name, code, stderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("export -o %q wrote the file", name)
		}
	}
}
