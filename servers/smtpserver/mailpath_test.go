package smtpserver_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/servers/imapserver"
	"github.com/protocollab/protolab/servers/internal/servertest"
	"github.com/protocollab/protolab/servers/mailstore"
	"github.com/protocollab/protolab/servers/pop3server"
	"github.com/protocollab/protolab/servers/smtpserver"
)

// mailPathScript logs in to alpha.test's server as alice, tries to send as bob
// (refused), sends to bob@beta.test (relayed to beta.test's server), then reads
// the message back over POP3 and IMAP and prints its header twice.
const mailPathScript = `
import imaplib, poplib, smtplib, sys
smtp_port, pop_port, imap_port = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
msg = "From: alice@alpha.test\r\nTo: bob@beta.test\r\nSubject: the path\r\n\r\nHello Bob.\r\n"
with smtplib.SMTP("127.0.0.1", smtp_port, local_hostname="python.lab.test", timeout=20) as s:
    s.login("alice", "alice")
    try:
        s.sendmail("bob@beta.test", ["bob@beta.test"], msg)
        sys.exit("alice sent as bob")
    except smtplib.SMTPSenderRefused as e:
        assert e.smtp_code == 553 and e.smtp_error.startswith(b"5.7.1"), (e.smtp_code, e.smtp_error)
    s.sendmail("alice@alpha.test", ["bob@beta.test"], msg)
p = poplib.POP3("127.0.0.1", pop_port, timeout=20)
p.user("bob"); p.pass_("bob")
lines = p.retr(1)[1]
p.quit()
print("POP3")
print("\n".join(l.decode() for l in lines[:lines.index(b"")]))
m = imaplib.IMAP4("127.0.0.1", imap_port, timeout=20)
m.login("bob", "bob"); m.select("INBOX")
uid = m.uid("SEARCH", "ALL")[1][0].split()[-1]
typ, data = m.uid("FETCH", uid, "(BODY.PEEK[HEADER])")
m.logout()
print("IMAP")
print(data[0][1].decode().replace("\r\n", "\n").rstrip("\n"))
`

// python is Debian's Python 3 (/usr/bin/python3) when there is one: the
// standard library's smtplib, poplib and imaplib are all this test needs.
func python(t *testing.T) string {
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		return "/usr/bin/python3"
	}
	return need(t, "python3")
}

// TestMailPath: Python's smtplib sends from alice@alpha.test to bob@beta.test
// through alpha.test's server, which relays to beta.test's; poplib and
// imaplib read it back from beta.test's mailboxes with the Return-Path of
// final delivery and one Received line per server, newest first. The same
// session is refused when it claims to be bob.
func TestMailPath(t *testing.T) {
	py := python(t)
	alphaStore, betaStore := newStore(t, "alpha.test"), newStore(t, "beta.test")
	_, betaAddr := startServer(t, smtpserver.Options{Store: betaStore})
	_, alphaAddr := startServer(t, smtpserver.Options{Store: alphaStore, AllowInsecureAuth: true,
		RelayPort: func(d string) int { return map[string]int{"beta.test": port(betaAddr)}[d] }})
	popAddr := servertest.Start(t, pop3server.New(pop3server.Options{Stores: []*mailstore.Store{betaStore}, AuthDelay: -1}), pop3server.ErrServerClosed)
	imapAddr := servertest.Start(t, imapserver.New(imapserver.Options{Stores: []*mailstore.Store{betaStore}, AuthDelay: -1}), imapserver.ErrServerClosed)

	script := filepath.Join(t.TempDir(), "path.py")
	os.WriteFile(script, []byte(mailPathScript), 0o600)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, py, script, itoa(port(alphaAddr)), itoa(port(popAddr)), itoa(port(imapAddr))).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	if testing.Verbose() {
		t.Logf("python:\n%s", out)
	}
	_, imapPart, ok := strings.Cut(string(out), "\nIMAP\n")
	popPart := strings.TrimPrefix(strings.SplitN(string(out), "\nIMAP\n", 2)[0], "POP3\n")
	if !ok {
		t.Fatalf("python printed %q", out)
	}
	for name, header := range map[string]string{"POP3": popPart, "IMAP": imapPart} {
		lines := strings.Split(header, "\n")
		if lines[0] != "Return-Path: <alice@alpha.test>" {
			t.Errorf("%s: first line %q, want Return-Path: <alice@alpha.test>", name, lines[0])
		}
		var hops []string
		for i, l := range lines {
			if strings.HasPrefix(l, "Received: ") && i+1 < len(lines) {
				hops = append(hops, l+" "+strings.TrimSpace(lines[i+1]))
			}
		}
		want := []string{
			"Received: from mail.alpha.test ([127.0.0.1]) by mail.beta.test with ESMTP id ",
			"Received: from python.lab.test ([127.0.0.1]) by mail.alpha.test with ESMTPA id ",
		}
		if len(hops) != len(want) {
			t.Fatalf("%s: Received lines %q, want %d", name, hops, len(want))
		}
		for i, w := range want {
			if !strings.HasPrefix(hops[i], w) {
				t.Errorf("%s: Received line %d = %q, want %q...", name, i+1, hops[i], w)
			}
		}
		if !strings.Contains(header, "for <bob@beta.test>") || !strings.Contains(header, "Subject: the path") {
			t.Errorf("%s: header %q", name, header)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
