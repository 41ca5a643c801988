package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/protocollab/protolab/app/wire"
	"github.com/protocollab/protolab/lab"
)

// setNeeds makes serve's bench declare needs (Protocol.Needs) by protocol name.
func setNeeds(t *testing.T, needs map[string][]string) {
	old := newBench
	newBench = func(o lab.HubOptions) *lab.Bench {
		b := old(o)
		for name, n := range needs {
			b.Registry().Lookup(name).Needs = n
		}
		return b
	}
	t.Cleanup(func() { newBench = old })
}

// declareMailNeeds makes serve's bench say what the lab's wiring says: each
// SMTP server relays through the lab DNS to the other mail domain.
func declareMailNeeds(t *testing.T) {
	setNeeds(t, map[string][]string{"smtp": {"dns", "smtp-beta"}, "smtp-beta": {"dns", "smtp"}})
}

// TestServeOnlyNeeds: `serve --only smtp,pop3,imap` is the mail lab, working:
// the lab DNS and the other mail domain start too, and their listening lines
// say which server needs them.
func TestServeOnlyNeeds(t *testing.T) {
	declareMailNeeds(t)
	r := startMailServe(t, "smtp,pop3,imap", "--json")
	addrs := map[string]string{}
	var order []string
	for range 5 {
		l := r.next(t)
		var rec lab.Record
		if err := json.Unmarshal([]byte(l), &rec); err != nil || rec.Event != "listening" {
			t.Fatalf("line %q, want a listening line", l)
		}
		want := `{"event":"listening","protocol":"` + rec.Protocol + `","addr":"` + rec.Addr + `"`
		switch rec.Protocol {
		case "dns", "smtp-beta":
			want += `,"needed_by":"smtp"`
		}
		if want += "}"; l != want {
			t.Errorf("listening line = %s, want %s", l, want)
		}
		addrs[rec.Protocol] = rec.Addr
		order = append(order, rec.Protocol)
	}
	if got, want := strings.Join(order, ","), "dns,smtp,smtp-beta,pop3,imap"; got != want {
		t.Errorf("listening lines for %s, want %s (the registry's order)", got, want)
	}
	checkMailLab(t, r, addrs)
}

func TestServeOnlyNeedsText(t *testing.T) {
	declareMailNeeds(t)
	r := startMailServe(t, "smtp")
	lines := []string{r.next(t), r.next(t), r.next(t)}
	for i, want := range []*regexp.Regexp{
		regexp.MustCompile(`^dns listening on 127\.0\.0\.1:\d+ \(DNS lab\.test\) — needed by smtp$`),
		regexp.MustCompile(`^smtp listening on 127\.0\.0\.1:\d+ \(SMTP\)$`),
		regexp.MustCompile(`^smtp-beta listening on 127\.0\.0\.1:\d+ \(.+\) — needed by smtp$`),
	} {
		if !want.MatchString(lines[i]) {
			t.Errorf("line %d = %q, want it to match %s", i+1, lines[i], want)
		}
	}
	if got := strings.Join(r.stop(t), ","); got != "dns,smtp,smtp-beta" {
		t.Errorf("stopped lines for %s, want dns,smtp,smtp-beta", got)
	}
}

// stop stops a text-mode serve, checks it exits 0 and returns the names its
// "stopped" lines give, in order.
func (r *serveRun) stop(t *testing.T) []string {
	t.Helper()
	r.cancel()
	var stopped []string
	for l := range r.lines {
		if name, ok := strings.CutSuffix(l, " stopped"); ok {
			stopped = append(stopped, name)
		}
	}
	if code := <-r.code; code != 0 {
		t.Errorf("exit code %d, want 0; stderr: %s", code, r.stderr)
	}
	return stopped
}

// TestServeOnlyNoServer: --only takes only names with a server; a protocol
// without one is a usage error that says so, and nothing starts.
func TestServeOnlyNoServer(t *testing.T) {
	servers := strings.Join(wire.Registry().Servers(), ", ")
	for _, tt := range []struct{ only, want string }{
		{"ftp-data", `"ftp-data" (FTP data) has no server of its own`},
		{"tcp,ftp-data", `"ftp-data" (FTP data) has no server of its own`},
		{"gopher", `"gopher" is not a protocol of the lab`},
	} {
		var stdout, stderr syncBuffer
		code := Main(context.Background(), []string{"serve", "--only", tt.only, "--json"}, &stdout, &stderr)
		if code != 2 {
			t.Errorf("--only %s: exit %d, want 2", tt.only, code)
		}
		if msg := stderr.String(); !strings.Contains(msg, tt.want) || !strings.Contains(msg, servers) {
			t.Errorf("--only %s: stderr %q, want it to say %q and list the servers %s", tt.only, msg, tt.want, servers)
		}
		if stdout.String() != "" {
			t.Errorf("--only %s printed %q, want nothing", tt.only, stdout.String())
		}
	}
}

// TestServeNamesDocumented: the README's --only list and the usage text name
// every server of the lab, in the registry's order, and nothing else.
func TestServeNamesDocumented(t *testing.T) {
	want := strings.Join(wire.Registry().Servers(), ",")
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`protolab serve \[--only ([^\]\s]+)\]`).FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no `protolab serve [--only NAMES]` line")
	}
	if got := string(m[1]); got != want {
		t.Errorf("README.md's --only list = %s, want %s", got, want)
	}
	var help bytes.Buffer
	Main(context.Background(), []string{"help"}, &help, &help)
	if !strings.Contains(help.String(), want) {
		t.Errorf("usage text lacks the servers %s:\n%s", want, help.String())
	}
}

// TestServeOnlyNeedsNoServer: a server that needs what the lab has no server
// for is the wiring's mistake: serve says so and fails (exit 1), starting nothing.
func TestServeOnlyNeedsNoServer(t *testing.T) {
	setNeeds(t, map[string][]string{"ftp": {"ftp-data"}})
	var stdout, stderr syncBuffer
	code := Main(context.Background(), []string{"serve", "--only", "ftp", "--json"}, &stdout, &stderr)
	want := `"ftp-data" (FTP data) has no server of its own, but ftp needs it`
	if code != 1 || !strings.Contains(stderr.String(), want) || stdout.String() != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1, nothing and %q", code, stdout.String(), stderr.String(), want)
	}
}
