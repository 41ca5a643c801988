package smtpserver_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/servers/smtpserver"
)

func need(t *testing.T, prog string) string {
	t.Helper()
	p, err := exec.LookPath(prog)
	if err != nil {
		t.Skipf("%s is not installed (apt package %s)", prog, map[string]string{"python3": "python3", "curl": "curl"}[prog])
	}
	return p
}

const smtplibScript = `
import smtplib, ssl, sys
host, port, cafile, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
msg = "From: alice@alpha.test\r\nTo: alice@alpha.test\r\nSubject: from smtplib " + mode + "\r\n\r\nHello.\r\n"
with smtplib.SMTP(host, port, local_hostname="python.lab.test", timeout=20) as s:
    s.ehlo()
    if mode == "plain":
        assert not s.has_extn("auth"), "AUTH offered before STARTTLS"
        s.sendmail("bob@beta.test", ["alice@alpha.test"], msg)
    else:
        ctx = ssl.create_default_context(cafile=cafile)
        s.starttls(context=ctx)
        s.ehlo()
        s.user, s.password = "alice", "alice"
        if mode == "login":
            s.auth("LOGIN", s.auth_login)
        else:
            s.auth("PLAIN", s.auth_plain)
        s.sendmail("alice@alpha.test", ["alice@alpha.test"], msg)
        try:
            s.sendmail("alice@alpha.test", ["eve@outside.example"], msg)
            sys.exit("relay to outside.example accepted")
        except smtplib.SMTPRecipientsRefused as e:
            code, text = e.recipients["eve@outside.example"]
            assert code == 550 and text.startswith(b"5.7.1"), (code, text)
print("ok")
`

// TestPythonSMTPLib drives the server with Python's smtplib: plain delivery,
// then STARTTLS with the exported lab CA and AUTH PLAIN and LOGIN.
func TestPythonSMTPLib(t *testing.T) {
	py := need(t, "python3")
	ca, lca := caFile(t)
	store := newStore(t, "alpha.test")
	_, addr := startServer(t, smtpserver.Options{Store: store, TLS: labTLS(t, lca)})
	host, p, _ := strings.Cut(addr, ":")
	script := filepath.Join(t.TempDir(), "send.py")
	os.WriteFile(script, []byte(smtplibScript), 0o600)
	for _, mode := range []string{"plain", "plain-auth", "login"} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		out, err := exec.CommandContext(ctx, py, script, host, p, ca, mode).CombinedOutput()
		cancel()
		if err != nil || strings.TrimSpace(string(out)) != "ok" {
			t.Errorf("smtplib %s: %v\n%s", mode, err, out)
		}
	}
	if st, _ := store.Status(alice, "INBOX"); st.Messages != 3 {
		t.Errorf("INBOX holds %d messages, want 3", st.Messages)
	}
}

// TestCurl sends with curl's smtp:// over STARTTLS (--ssl-reqd) with a login.
func TestCurl(t *testing.T) {
	curl := need(t, "curl")
	ca, lca := caFile(t)
	store := newStore(t, "alpha.test")
	_, addr := startServer(t, smtpserver.Options{Store: store, TLS: labTLS(t, lca)})
	mail := filepath.Join(t.TempDir(), "mail.txt")
	os.WriteFile(mail, []byte("From: alice@alpha.test\r\nTo: alice@alpha.test\r\nSubject: from curl\r\n\r\nHello from curl.\r\n"), 0o600)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, curl, "-sS", "--url", "smtp://"+addr, "--mail-from", "alice@alpha.test",
		"--mail-rcpt", "alice@alpha.test", "--upload-file", mail, "--ssl-reqd", "--cacert", ca, "-u", "alice:alice").CombinedOutput()
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	msgs, _ := store.List(alice, "INBOX")
	if len(msgs) != 1 {
		t.Fatalf("INBOX holds %d messages, want 1", len(msgs))
	}
	raw, _ := store.Fetch(alice, "INBOX", msgs[0].UID)
	if !strings.Contains(string(raw), "with ESMTPSA id ") || !strings.HasSuffix(string(raw), "Hello from curl.\r\n") {
		t.Errorf("stored = %q", raw)
	}
	// A wrong password: curl fails with the server's 535.
	out, err = exec.CommandContext(ctx, curl, "-sS", "--url", "smtp://"+addr, "--mail-from", "alice@alpha.test",
		"--mail-rcpt", "alice@alpha.test", "--upload-file", mail, "--ssl-reqd", "--cacert", ca, "-u", "alice:wrong").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 67 { // CURLE_LOGIN_DENIED
		t.Errorf("curl with a wrong password: %v, want exit status 67 (login denied)\n%s", err, out)
	}
}
