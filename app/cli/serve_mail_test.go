package cli

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/lab/labdir/labdirtest"
)

// TestServeMail runs the mail lab headless — `serve --only dns,smtp,smtp-beta,
// pop3,imap` — and drives it with Python's smtplib, imaplib and poplib, each
// over STARTTLS (STLS) trusting the exported lab CA: alice's mail to bob is
// relayed from alpha.test to beta.test, read over IMAP, and downloaded and
// deleted over POP3.
func TestServeMail(t *testing.T) {
	r := startMailServe(t, "dns,smtp,smtp-beta,pop3,imap", "--json")
	addrs := map[string]string{}
	for range 5 {
		var rec lab.Record
		if l := r.next(t); json.Unmarshal([]byte(l), &rec) != nil || rec.Event != "listening" {
			t.Fatalf("line %q, want a listening line", l)
		}
		addrs[rec.Protocol] = rec.Addr
	}
	checkMailLab(t, r, addrs)
}

// startMailServe runs `serve --only only` with the mail lab's servers on free
// ports and the lab's folders in a temporary one.
func startMailServe(t *testing.T, only string, args ...string) *serveRun {
	labdirtest.Shared(t)
	return startServe(t, append([]string{"--only", only,
		"--port", "dns=0,smtp=0,smtp-beta=0,pop3=0,imap=0"}, args...)...)
}

// checkMailLab sends, relays, reads and deletes a mail through the mail lab
// serve runs (--json) at addrs, checks the lab decrypted each protocol's
// messages, and stops serve.
func checkMailLab(t *testing.T, r *serveRun, addrs map[string]string) {
	t.Helper()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	var out, errb syncBuffer
	if code := Main(t.Context(), []string{"ca", "export", ca}, &out, &errb); code != 0 {
		t.Fatalf("ca export = %d: %s", code, errb.String())
	}
	py := `import smtplib, imaplib, poplib, ssl, sys
ca, smtp, imap, pop = sys.argv[1:5]
ctx = ssl.create_default_context(cafile=ca)
def hp(a):
    h, p = a.rsplit(":", 1)
    return h, int(p)
s = smtplib.SMTP(*hp(smtp), timeout=10)
s.starttls(context=ctx)
s.login("alice", "alice")
s.sendmail("alice@alpha.test", ["bob@beta.test"], "From: alice@alpha.test\r\nTo: bob@beta.test\r\nSubject: headless\r\n\r\nrelayed by the lab\r\n")
s.quit()
i = imaplib.IMAP4(*hp(imap), timeout=10)
i.starttls(ssl_context=ctx)
i.login("bob@beta.test", "bob")
i.select("INBOX")
typ, data = i.search(None, 'SUBJECT "headless"')
print("imap", len(data[0].split()))
i.logout()
p = poplib.POP3(*hp(pop), timeout=10)
p.stls(context=ctx)
p.user("bob@beta.test"); p.pass_("bob")
n = len(p.list()[1])
body = b"\n".join(p.retr(n)[1])
p.dele(n); p.quit()
print("pop3", b"relayed by the lab" in body)
i = imaplib.IMAP4(*hp(imap), timeout=10)
i.starttls(ssl_context=ctx)
i.login("bob@beta.test", "bob")
i.select("INBOX")
typ, data = i.search(None, 'SUBJECT "headless"')
print("after", len(data[0].split()))
i.logout()`
	got, err := exec.Command("python3", "-c", py, ca, addrs["smtp"], addrs["imap"], addrs["pop3"]).CombinedOutput()
	if err != nil || strings.TrimSpace(string(got)) != "imap 1\npop3 True\nafter 0" {
		t.Fatalf("python mail clients: %v\n%s", err, got)
	}
	seen := map[string]bool{}
	deadline := time.After(10 * time.Second)
	for !(seen["smtp smtp"] && seen["smtp-beta smtp"] && seen["imap imap"] && seen["pop3 pop3"]) {
		select {
		case <-deadline:
			t.Fatalf("decrypted messages seen by protocol and layer: %v", seen)
		default:
		}
		rec := r.record(t)
		if rec.Event == "message" {
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
