package pop3server_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/protocollab/protolab/servers/mailstore"
	"github.com/protocollab/protolab/servers/pop3server"
)

func need(t *testing.T, prog, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(prog)
	if err != nil {
		t.Skipf("%s is not installed (apt package %s)", prog, pkg)
	}
	return p
}

// poplibScript drives Python's poplib: STLS with the lab CA, USER and PASS,
// STAT, LIST, UIDL, RETR 1, DELE 1, RSET, DELE 2, QUIT. It prints what it saw.
const poplibScript = `
import poplib, ssl, sys
host, port, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
p = poplib.POP3(host, port, timeout=20)
caps = p.capa()
print("capa-before", "USER" in caps, "STLS" in caps)
try:
    p.user("alice")
    print("plain", "accepted")
except poplib.error_proto as e:
    print("plain", e.args[0].decode())
p.stls(context=ssl.create_default_context(cafile=cafile))
p.user("alice@alpha.test")
print("pass", p.pass_("alice").decode())
print("stat", *p.stat())
resp, lines, _ = p.list()
print("list", *[l.decode() for l in lines])
resp, lines, _ = p.retr(1)
print("retr", "|".join(l.decode() for l in lines))
p.dele(1)
print("stat-after-dele", *p.stat())
p.rset()
print("stat-after-rset", *p.stat())
p.dele(2)
print("quit", p.quit().decode())
`

// TestPoplib drives the server with Python's poplib, STLS with the lab CA
// exported to a file.
func TestPoplib(t *testing.T) {
	python := need(t, "python3", "python3")
	st := newStore(t, 3)
	ca := newCA(t)
	_, addr, _ := startServer(t, pop3server.Options{Stores: []*mailstore.Store{st}, TLS: ca.serverTLS(t)})
	uids := inbox(t, st)
	host, port, _ := strings.Cut(addr, ":")
	out, err := exec.Command(python, "-c", poplibScript, host, port, ca.pem).CombinedOutput()
	if err != nil {
		t.Fatalf("poplib: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		k, v, _ := strings.Cut(line, " ")
		got[k] = v
	}
	size := len(mail(1))
	for k, want := range map[string]string{
		"capa-before":     "False True",
		"plain":           "-ERR [AUTH] Plain-text login is refused before STLS: send STLS first (or allow plain-text login in the server's settings).",
		"pass":            "+OK alice@alpha.test's maildrop has 3 messages (" + itoa(uint32(3*size)) + " octets)",
		"stat":            "3 " + itoa(uint32(3*size)),
		"list":            "1 " + itoa(uint32(size)) + " 2 " + itoa(uint32(size)) + " 3 " + itoa(uint32(size)),
		"retr":            "From: Bob <bob@beta.test>|To: alice@alpha.test|Subject: Note 1||Hello 1.|.A line that begins with a dot.|Bye.",
		"stat-after-dele": "2 " + itoa(uint32(2*size)),
		"stat-after-rset": "3 " + itoa(uint32(3*size)),
		"quit":            "+OK Goodbye: 1 message deleted, 2 left.",
	} {
		if got[k] != want {
			t.Errorf("poplib %s: %q, want %q", k, got[k], want)
		}
	}
	if got := inbox(t, st); !slices.Equal(got, []uint32{uids[0], uids[2]}) {
		t.Errorf("after poplib's QUIT the store holds %v, want %v", got, []uint32{uids[0], uids[2]})
	}
}

// TestCurl retrieves, lists and deletes with curl's pop3://, STLS required and
// checked against the lab CA.
func TestCurl(t *testing.T) {
	curl := need(t, "curl", "curl")
	st := newStore(t, 2)
	ca := newCA(t)
	_, addr, _ := startServer(t, pop3server.Options{Stores: []*mailstore.Store{st}, TLS: ca.serverTLS(t)})
	uids := inbox(t, st)
	run := func(args ...string) string {
		t.Helper()
		args = append([]string{"-sS", "--max-time", "20", "--ssl-reqd", "--cacert", ca.pem, "-u", "alice:alice"}, args...)
		out, err := exec.Command(curl, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("curl %q: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if got := run("pop3://" + addr + "/1"); got != string(mail(1)) {
		t.Errorf("curl pop3://…/1 = %q, want %q", got, mail(1))
	}
	if got, want := run("pop3://"+addr+"/"), "1 "+itoa(uint32(len(mail(1))))+"\r\n2 "+itoa(uint32(len(mail(2))))+"\r\n"; got != want {
		t.Errorf("curl pop3://…/ = %q, want %q", got, want)
	}
	run("-X", "DELE", "-I", "pop3://"+addr+"/1")
	if got := inbox(t, st); !slices.Equal(got, uids[1:]) {
		t.Errorf("after curl's DELE the store holds %v, want %v", got, uids[1:])
	}
	// Without TLS curl sees the greeting's timestamp and logs in with APOP,
	// which never sends the password: allowed before STLS.
	out, err := exec.Command(curl, "-sS", "-v", "--max-time", "20", "-u", "alice:alice", "pop3://"+addr+"/1").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "> APOP alice ") || strings.Contains(string(out), "> PASS") {
		t.Errorf("curl without TLS: %v\n%s", err, out)
	}
}
