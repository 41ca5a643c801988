package imap

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

const (
	c2s = lab.ClientToServer
	s2c = lab.ServerToClient
)

// step is bytes that went one way.
type step struct {
	Dir  lab.Dir
	Data string
}

// script encodes steps for FuzzAnalyzer.
func script(steps ...step) []byte { return analyzertest.Script(steps...) }

const mail = "From: bob@beta.test\r\nTo: alice@alpha.test\r\nSubject: hi\r\n\r\nHello, {5}\r\nAlice.\r\n"

var sessionSteps = []step{
	{s2c, "* OK [CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS LOGINDISABLED] Protocol Lab IMAP ready\r\n"},
	{c2s, "a1 CAPABILITY\r\n"},
	{s2c, "* CAPABILITY IMAP4rev1 IMAP4rev2 STARTTLS IDLE MOVE LITERAL+\r\na1 OK CAPABILITY completed\r\n"},
	{c2s, "a2 LOGIN alice \"s3cret pw\"\r\n"},
	{s2c, "a2 OK [CAPABILITY IMAP4rev2 IDLE] LOGIN completed\r\n"},
	{c2s, "a3 LIST \"\" \"*\"\r\n"},
	{s2c, "* LIST (\\HasNoChildren) \"/\" INBOX\r\n* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\na3 OK LIST completed\r\n"},
	{c2s, "a4 SELECT INBOX\r\n"},
	{s2c, "* 2 EXISTS\r\n* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)\r\n* OK [UIDVALIDITY 1700000000] UIDs valid\r\n* OK [UIDNEXT 3] next UID\r\na4 OK [READ-WRITE] SELECT completed\r\n"},
	{c2s, "a5 UID FETCH 1:* (UID FLAGS RFC822.SIZE)\r\n"},
	{s2c, "* 1 FETCH (UID 1 FLAGS () RFC822.SIZE 80)\r\n* 2 FETCH (UID 2 FLAGS (\\Seen) RFC822.SIZE 90)\r\na5 OK FETCH completed\r\n"},
	{c2s, "a6 UID FETCH 1 (UID BODY.PEEK[])\r\n"},
	{s2c, fmt.Sprintf("* 1 FETCH (UID 1 BODY[] {%d}\r\n%s)\r\na6 OK FETCH completed\r\n", len(mail), mail)},
	{c2s, "a7 UID STORE 1 +FLAGS.SILENT (\\Seen)\r\n"},
	{s2c, "a7 OK STORE completed\r\n"},
	{c2s, "a8 SEARCH UNSEEN\r\n"},
	{s2c, "* SEARCH\r\na8 OK SEARCH completed\r\n"},
	{c2s, fmt.Sprintf("a9 APPEND Sent (\\Seen) {%d}\r\n", len(mail))},
	{s2c, "+ Ready for literal data\r\n"},
	{c2s, mail + "\r\n"},
	{s2c, "a9 OK [APPENDUID 1700000000 1] APPEND completed\r\n"},
	{c2s, "a10 IDLE\r\n"},
	{s2c, "+ idling\r\n"},
	{s2c, "* 3 EXISTS\r\n* 1 FETCH (FLAGS (\\Seen \\Flagged))\r\n"},
	{c2s, "DONE\r\n"},
	{s2c, "a10 OK IDLE completed\r\n"},
	{c2s, "a11 UID MOVE 2 Archive\r\n"},
	{s2c, "* OK [COPYUID 1 2 1] moved\r\n* 2 EXPUNGE\r\na11 OK MOVE completed\r\n"},
	{c2s, "a12 CLOSE\r\n"},
	{s2c, "a12 OK CLOSE completed\r\n"},
	{c2s, "a13 LOGOUT\r\n"},
	{s2c, "* BYE logging out\r\na13 OK LOGOUT completed\r\n"},
}

func TestAnalyzerSession(t *testing.T) {
	for _, chunk := range []int{0, 1, 7} {
		t.Run(fmt.Sprint("chunk", chunk), func(t *testing.T) {
			a := NewAnalyzer()
			a.Opened(lab.OpenInfo{})
			msgs := analyzertest.Feed(a, sessionSteps, chunk)
			msgs = append(msgs, a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN})...)
			var states, summaries []string
			var raw [3][]byte
			for _, m := range msgs {
				if m.NextState != "" {
					states = append(states, m.NextState)
				}
				summaries = append(summaries, m.Summary)
				raw[m.Dir] = append(raw[m.Dir], m.Raw...)
			}
			wantStates := []string{StateAuthenticated, StateSelected, StateIdle, StateSelected, StateAuthenticated, StateLogout, StateClosed}
			if got, want := strings.Join(states, " "), strings.Join(wantStates, " "); got != want {
				t.Errorf("states = %s, want %s", got, want)
			}
			// Every byte is in exactly one message, in order.
			var want [3][]byte
			for _, s := range sessionSteps {
				want[s.Dir] = append(want[s.Dir], s.Data...)
			}
			for d := c2s; d <= s2c; d++ {
				if !bytes.Equal(raw[d], want[d]) {
					t.Errorf("Raw of %v = %q, want %q", d, raw[d], want[d])
				}
			}
			// One message per command and per response.
			if got, want := len(msgs), 47; got != want {
				t.Errorf("%d messages, want %d:\n%s", got, want, strings.Join(summaries, "\n"))
			}
			byPrefix := func(p string) lab.Message {
				t.Helper()
				for _, m := range msgs {
					if strings.HasPrefix(m.Summary, p) {
						return m
					}
				}
				t.Fatalf("no message %q in\n%s", p, strings.Join(summaries, "\n"))
				return lab.Message{}
			}
			login := byPrefix("a2 LOGIN")
			if got, want := login.Summary, "a2 LOGIN alice ****"; got != want {
				t.Errorf("LOGIN summary = %q, want %q", got, want)
			}
			if strings.Contains(login.Summary+login.Meaning+fmt.Sprint(login.Fields), "s3cret") {
				t.Errorf("LOGIN shows the password: %+v", login)
			}
			if got, want := string(login.Raw), "a2 LOGIN alice \"s3cret pw\"\r\n"; got != want {
				t.Errorf("LOGIN Raw = %q, want %q", got, want)
			}
			fetch := byPrefix("* 1 FETCH (UID 1 BODY[]")
			if got, want := fetch.Summary, fmt.Sprintf("* 1 FETCH (UID 1 BODY[] {%d})", len(mail)); got != want {
				t.Errorf("FETCH summary = %q, want %q", got, want)
			}
			if !strings.Contains(fetch.Meaning, fmt.Sprintf("whole message (%d bytes)", len(mail))) {
				t.Errorf("FETCH meaning = %q", fetch.Meaning)
			}
			if got := byPrefix("a6 OK"); field(got, "in answer to") != "a6 UID FETCH 1 (UID BODY.PEEK[])" {
				t.Errorf("a6 OK answers %q", field(got, "in answer to"))
			}
			appendCmd := byPrefix("a9 APPEND")
			if got, want := string(appendCmd.Raw), fmt.Sprintf("a9 APPEND Sent (\\Seen) {%d}\r\n%s\r\n", len(mail), mail); got != want {
				t.Errorf("APPEND Raw = %q, want %q", got, want)
			}
			if got := byPrefix("+ Ready"); !strings.Contains(got.Meaning, "literal") {
				t.Errorf("continuation meaning = %q", got.Meaning)
			}
			if got := byPrefix("* 3 EXISTS"); !strings.Contains(got.Meaning, "IDLE") {
				t.Errorf("EXISTS in IDLE meaning = %q", got.Meaning)
			}
			if got := byPrefix("* 2 EXPUNGE"); field(got, "message") != "2" {
				t.Errorf("EXPUNGE fields = %v", got.Fields)
			}
			if got := byPrefix("DONE"); got.Dir != c2s {
				t.Errorf("DONE dir = %v", got.Dir)
			}
		})
	}
}

func field(m lab.Message, name string) string {
	for _, f := range m.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

func TestAnalyzerLiteralLogin(t *testing.T) {
	a := NewAnalyzer()
	msgs := analyzertest.Feed(a, []step{
		{s2c, "* OK ready\r\n"},
		{c2s, "x LOGIN {5}\r\n"},
		{s2c, "+ go\r\n"},
		{c2s, "alice {4+}\r\npass\r\n"},
		{s2c, "x OK welcome\r\n"},
	}, 1)
	var got []string
	for _, m := range msgs {
		got = append(got, m.Summary)
	}
	want := []string{"* OK ready", "+ go", "x LOGIN alice ****", "x OK welcome"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("summaries = %q, want %q", got, want)
	}
	if a.State() != StateAuthenticated {
		t.Errorf("state = %q, want %q", a.State(), StateAuthenticated)
	}
}

func TestAnalyzerRefusedLiteral(t *testing.T) {
	a := NewAnalyzer()
	msgs := analyzertest.Feed(a, []step{
		{s2c, "* OK ready\r\n"},
		{c2s, "a1 APPEND INBOX {99999999}\r\n"},
		{s2c, "a1 NO [LIMIT] too big\r\n"},
		{c2s, "a2 NOOP\r\n"},
		{s2c, "a2 OK\r\n"},
	}, 0)
	var got []string
	for _, m := range msgs {
		got = append(got, m.Summary)
	}
	want := []string{"* OK ready", "a1 APPEND INBOX {99999999} (cut short)", "a1 NO [LIMIT] too big", "a2 NOOP", "a2 OK"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("summaries = %q, want %q", got, want)
	}
}

func TestAnalyzerBigLiteral(t *testing.T) {
	a := NewAnalyzer()
	big := strings.Repeat("x", 3*MaxKeptBytes)
	msgs := analyzertest.Feed(a, []step{
		{s2c, "* OK ready\r\n"},
		{s2c, fmt.Sprintf("* 1 FETCH (BODY[] {%d}\r\n%s)\r\n* 2 EXISTS\r\n", len(big), big)},
	}, 1000)
	if len(msgs) != 3 {
		t.Fatalf("%d messages, want 3", len(msgs))
	}
	if got := len(msgs[1].Raw); got != MaxKeptBytes {
		t.Errorf("kept %d bytes, want %d", got, MaxKeptBytes)
	}
	if got := field(msgs[1], "size"); !strings.HasPrefix(got, fmt.Sprint(len(big)+len("* 1 FETCH (BODY[] {196608}\r\n)\r\n"))) {
		t.Errorf("size = %q", got)
	}
	if got, want := msgs[2].Summary, "* 2 EXISTS"; got != want {
		t.Errorf("after the literal: %q, want %q", got, want)
	}
}

func TestAnalyzerStatusTextNoLiteral(t *testing.T) {
	a := NewAnalyzer()
	msgs := analyzertest.Feed(a, []step{{s2c, "* OK hello {5}\r\n* 1 EXISTS\r\n"}}, 0)
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want 2: a status response's text holds no literal", len(msgs))
	}
}

func TestAnalyzerPreauthAndSelectFailure(t *testing.T) {
	a := NewAnalyzer()
	analyzertest.Feed(a, []step{
		{s2c, "* PREAUTH welcome back\r\n"},
		{c2s, "a SELECT INBOX\r\n"},
		{s2c, "a OK [READ-WRITE] done\r\n"},
	}, 0)
	if a.State() != StateSelected {
		t.Fatalf("state = %q, want %q", a.State(), StateSelected)
	}
	analyzertest.Feed(a, []step{{c2s, "b SELECT Nope\r\n"}, {s2c, "b NO [NONEXISTENT] no such mailbox\r\n"}}, 0)
	if a.State() != StateAuthenticated {
		t.Errorf("state after a failed SELECT = %q, want %q", a.State(), StateAuthenticated)
	}
}

func TestAnalyzerAuthenticateMasked(t *testing.T) {
	a := NewAnalyzer()
	msgs := analyzertest.Feed(a, []step{
		{s2c, "* OK ready\r\n"},
		{c2s, "a AUTHENTICATE PLAIN\r\n"},
		{s2c, "+ \r\n"},
		{c2s, "AGFsaWNlAGFsaWNl\r\n"},
		{s2c, "a OK logged in\r\n"},
	}, 0)
	for _, m := range msgs {
		if strings.Contains(m.Summary, "AGFsaWNl") {
			t.Errorf("summary shows the SASL response: %q", m.Summary)
		}
	}
	if a.State() != StateAuthenticated {
		t.Errorf("state = %q, want %q", a.State(), StateAuthenticated)
	}
}

func TestAnalyzerStartTLS(t *testing.T) {
	a := NewAnalyzer()
	a.Opened(lab.OpenInfo{})
	msgs := analyzertest.Feed(a, []step{
		{s2c, "* OK ready\r\n"},
		{c2s, "a STARTTLS\r\n"},
		{s2c, "a OK begin TLS\r\n"},
		{c2s, "\x16\x03\x01\x00\x05hello"},
	}, 0)
	var got []string
	for _, m := range msgs {
		got = append(got, m.Layer+":"+m.Summary)
	}
	if len(msgs) < 4 || msgs[3].Summary != "encrypted from here (TLS)" {
		t.Fatalf("messages = %q, want the hand-off after the OK", got)
	}
	for _, m := range msgs[4:] {
		if m.Layer != "tls" {
			t.Errorf("after STARTTLS: %q in layer %q, want tls", m.Summary, m.Layer)
		}
	}
	if !a.Handoff.Active() {
		t.Fatal("no TLS analyzer after STARTTLS")
	}
	msgs = a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowRST})
	if a.State() != StateClosed {
		t.Errorf("state = %q, want %q (messages %v)", a.State(), StateClosed, msgs)
	}
}

func TestLiteralAtEnd(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int64
		sync bool
		ok   bool
	}{
		{"a LOGIN {5}\r\n", 5, true, true},
		{"a LOGIN {5+}\r\n", 5, false, true},
		{"a LOGIN {5-}\n", 5, false, true},
		{"* 1 FETCH (BINARY[] ~{12}\r\n", 12, true, true},
		{"{0}\r\n", 0, true, true},
		{"a OK {}\r\n", 0, false, false},
		{"a OK {x}\r\n", 0, false, false},
		{"a OK {5} \r\n", 0, false, false},
		{"{99999999999999999999}\r\n", 0, false, false},
	} {
		n, sync, ok := literalAtEnd([]byte(tt.in))
		if n != tt.n || sync != tt.sync || ok != tt.ok {
			t.Errorf("literalAtEnd(%q) = %d, %v, %v, want %d, %v, %v", tt.in, n, sync, ok, tt.n, tt.sync, tt.ok)
		}
	}
}

func TestProtocol(t *testing.T) {
	p := Protocol()
	if p.Name != "imap" || p.Title != "IMAP" || p.DefaultPort != 1143 || p.NewAnalyzer == nil {
		t.Errorf("Protocol() = %+v", p)
	}
	for _, tr := range p.Transitions {
		if !contains(p.States, tr[0]) || !contains(p.States, tr[1]) {
			t.Errorf("transition %v between unknown states", tr)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
