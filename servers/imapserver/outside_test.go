package imapserver_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/imap"
	"github.com/protocollab/protolab/servers/imapserver"
	"github.com/protocollab/protolab/servers/mailstore"
)

// imaplibScript drives the server with Python's imaplib over STARTTLS with the
// lab's CA: login, select, search, fetch, store +FLAGS \Seen, copy, expunge.
const imaplibScript = `
import imaplib, ssl, sys
host, port, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=cafile)
m = imaplib.IMAP4(host, port)
assert 'STARTTLS' in m.capabilities, m.capabilities
m.starttls(ssl_context=ctx)
m.login('alice', 'alice')
typ, data = m.select('INBOX')
assert typ == 'OK' and data == [b'2'], (typ, data)
typ, data = m.search(None, 'UNSEEN')
assert data == [b'1 2'], data
typ, data = m.search(None, 'SUBJECT', '"Note 2"')
assert data == [b'2'], data
typ, data = m.fetch('1', '(RFC822)')
assert typ == 'OK' and b'Subject: Note 1' in data[0][1], data
typ, data = m.uid('FETCH', '2', '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
assert b'Note 2' in data[0][1], data
typ, data = m.store('2', '+FLAGS', '\\Seen')
assert typ == 'OK' and b'\\Seen' in data[0], data
typ, data = m.search(None, 'UNSEEN')
assert data == [b''], data
typ, data = m.copy('1', 'Trash')
assert typ == 'OK', data
typ, data = m.store('1', '+FLAGS', '\\Deleted')
typ, data = m.expunge()
assert data == [b'1'], data
typ, data = m.status('Trash', '(MESSAGES)')
assert b'MESSAGES 1' in data[0], data
m.close()
m.logout()
print('imaplib ok')
`

// TestPythonImaplib: Python's imaplib, an independent client, against the server.
func TestPythonImaplib(t *testing.T) {
	python := need(t, "python3", "python3")
	st := newStore(t, 2)
	ca := newCA(t)
	hub := newHub()
	_, addr, _ := startServer(t, imapserver.Options{Stores: []*mailstore.Store{st}, Tap: hub.Tap(hub.Registry().Lookup("imap"))}, &ca)
	host, port, _ := strings.Cut(addr, ":")
	script := filepath.Join(t.TempDir(), "imap.py")
	os.WriteFile(script, []byte(imaplibScript), 0o600)
	out, err := exec.Command(python, script, host, port, ca.pem).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "imaplib ok") {
		t.Fatalf("imaplib: %v\n%s", err, out)
	}
	if got := inbox(t, st); !slices.Equal(got, []uint32{2}) {
		t.Errorf("INBOX UIDs = %v, want [2]", got)
	}
	// The inspector decrypted the session with the lab's key log, matched the
	// tags and followed the states.
	convs := messages(hub)
	if len(convs) != 1 {
		t.Fatalf("%d IMAP conversations, want 1", len(convs))
	}
	all := summaries(convs[0], "imap")
	if testing.Verbose() {
		for _, e := range convs[0] {
			if e.Msg != nil {
				t.Logf("%s %-6s %s — %s", e.Msg.Dir, e.Layer, e.Msg.Summary, e.Msg.Meaning)
			}
		}
	}
	for _, want := range []string{"STARTTLS", "encrypted from here (TLS)", "LOGIN alice ****", "SELECT INBOX", "* 2 EXISTS", "* 1 EXPUNGE", "LOGOUT", "* BYE"} {
		if !strings.Contains(all, want) {
			t.Errorf("no %q among the messages:\n%s", want, all)
		}
	}
	if strings.Contains(all, "alice alice") || strings.Contains(all, `"alice"`) && strings.Contains(all, "LOGIN") && !strings.Contains(all, "****") {
		t.Errorf("the password shows in a summary:\n%s", all)
	}
	var states []string
	for _, e := range convs[0] {
		if e.Kind == lab.KindState && e.Layer == imap.Name {
			states = append(states, e.To)
		}
	}
	want := []string{imap.StateNotAuthenticated, imap.StateAuthenticated, imap.StateSelected, imap.StateAuthenticated, imap.StateLogout, imap.StateClosed}
	if got := strings.Join(states, " "); !strings.HasSuffix(got, strings.Join(want[1:], " ")) {
		t.Errorf("states = %s, want %s", got, strings.Join(want, " "))
	}
	// Every tagged completion found its command.
	for _, e := range convs[0] {
		if e.Msg == nil || e.Layer != imap.Name || e.Msg.Dir != lab.ServerToClient {
			continue
		}
		_, meaning := e.Msg.Detail()
		if s := e.Msg.Summary; len(s) > 0 && s[0] != '*' && s[0] != '+' && !strings.HasPrefix(s, "encrypted") && !strings.Contains(meaning, "completion of") {
			t.Errorf("%q not matched to its command: %s", s, meaning)
		}
	}
	// The RFC822 literal is one message with the whole mail inside.
	for _, e := range convs[0] {
		if e.Msg != nil && strings.HasPrefix(e.Msg.Summary, "* 1 FETCH (RFC822 {") && !strings.Contains(string(e.Msg.Raw), "Hello 1.") {
			t.Errorf("the FETCH's literal is not in its message: %q", e.Msg.Raw)
		}
	}
}

// TestCurl: curl lists and downloads over STARTTLS (--ssl-reqd) with the lab's CA.
func TestCurl(t *testing.T) {
	curl := need(t, "curl", "curl")
	st := newStore(t, 2)
	ca := newCA(t)
	_, addr, _ := startServer(t, imapserver.Options{Stores: []*mailstore.Store{st}}, &ca)
	run := func(url string) string {
		t.Helper()
		out, err := exec.Command(curl, "-sS", "--max-time", "20", "--ssl-reqd", "--cacert", ca.pem, "-u", "alice:alice", url).CombinedOutput()
		if err != nil {
			t.Fatalf("curl %s: %v\n%s", url, err, out)
		}
		return string(out)
	}
	if out := run("imap://" + addr + "/INBOX?ALL"); !strings.Contains(out, "SEARCH 1 2") {
		t.Errorf("curl search = %q", out)
	}
	if out := run("imap://" + addr + "/INBOX;UID=1"); out != string(mail(1)) {
		t.Errorf("curl UID=1 = %q, want %q", out, mail(1))
	}
	if out := run("imap://" + addr + "/"); !strings.Contains(out, "INBOX") || !strings.Contains(out, "Sent") {
		t.Errorf("curl list = %q", out)
	}
	// Without TLS allowed, curl is refused: no password crosses in the clear.
	out, err := exec.Command(curl, "-sS", "--max-time", "20", "-u", "alice:alice", "imap://"+addr+"/INBOX;UID=1").CombinedOutput()
	if err == nil {
		t.Errorf("curl without TLS logged in: %q", out)
	}
}
