package smtp

import (
	"slices"
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

var sessionSteps = []step{
	{s2c, "220 alpha.test ESMTP Service Ready\r\n"},
	{c2s, "EHLO client.lab.test\r\n"},
	{s2c, "250-Hello client.lab.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250-SIZE 10485760\r\n250 AUTH PLAIN LOGIN\r\n"},
	{c2s, "AUTH PLAIN AGFsaWNlAHdyb25n\r\n"},
	{s2c, "535 5.7.8 Authentication credentials invalid\r\n"},
	{c2s, "AUTH LOGIN\r\n"},
	{s2c, "334 VXNlcm5hbWU6\r\n"},
	{c2s, "YWxpY2U=\r\n"},
	{s2c, "334 UGFzc3dvcmQ6\r\n"},
	{c2s, "YWxpY2U=\r\n"},
	{s2c, "235 2.0.0 Authentication succeeded\r\n"},
	{c2s, "MAIL FROM:<alice@alpha.test> SIZE=120\r\nRCPT TO:<bob@beta.test>\r\nDATA\r\n"},
	{s2c, "250 2.0.0 Roger, accepting mail from <alice@alpha.test>\r\n250 2.0.0 I'll make sure <bob@beta.test> gets this\r\n"},
	{s2c, "354 2.0.0 Go ahead. End your data with <CR><LF>.<CR><LF>\r\n"},
	{c2s, "From: Alice <alice@alpha.test>\r\nTo: bob@beta.test\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n\r\nHi Bob,\r\n..dot-stuffed\r\n"},
	{c2s, ".\r\n"},
	{s2c, "250 2.0.0 OK: queued\r\n"},
	{c2s, "MAIL FROM:<alice@alpha.test>\r\n"},
	{s2c, "250 2.0.0 OK\r\n"},
	{c2s, "RCPT TO:<eve@outside.example>\r\n"},
	{s2c, "550 5.7.1 Relaying denied\r\n"},
	{c2s, "RSET\r\n"},
	{s2c, "250 2.0.0 Session reset\r\n"},
	{c2s, "QUIT\r\n"},
	{s2c, "221 2.0.0 Bye\r\n"},
}

func TestSession(t *testing.T) {
	a := NewAnalyzer()
	msgs := analyzertest.Feed(a, sessionSteps, 0)
	var sums, states []string
	for _, m := range msgs {
		sums = append(sums, m.Summary)
		if m.NextState != "" {
			states = append(states, m.NextState)
		}
	}
	all := strings.Join(sums, "\n")
	for _, secret := range []string{"wrong", "AGFsaWNlAHdyb25n", "password \"alice\""} {
		if strings.Contains(all, secret) {
			t.Errorf("summaries show a secret %q:\n%s", secret, all)
		}
	}
	for _, want := range []string{
		"220 alpha.test ESMTP Service Ready",
		"250 Hello client.lab.test (+5 lines)",
		"AUTH PLAIN (user \"alice\", password ****)",
		"535 5.7.8 Authentication credentials invalid",
		"334 VXNlcm5hbWU6 (\"Username:\")",
		"user \"alice\"",
		"password ****",
		"message from Alice <alice@alpha.test> to bob@beta.test \"Grüße\" (115 bytes)",
		"250 2.0.0 OK: queued",
		"550 5.7.1 Relaying denied",
	} {
		if !slices.Contains(sums, want) {
			t.Errorf("no message %q in\n%s", want, all)
		}
	}
	wantStates := []string{StateGreeted, StateMail, StateRcpt, StateData, StateGreeted, StateMail, StateGreeted, StateQuit}
	if !slices.Equal(states, wantStates) {
		t.Errorf("states = %q, want %q", states, wantStates)
	}
	for _, m := range msgs {
		if m.Summary == "550 5.7.1 Relaying denied" && !strings.Contains(m.Meaning, "not authorized") {
			t.Errorf("550 5.7.1 meaning = %q", m.Meaning)
		}
		if strings.HasPrefix(m.Summary, "message ") {
			if !strings.HasSuffix(string(m.Raw), "..dot-stuffed\r\n.\r\n") {
				t.Errorf("DATA raw = %q", m.Raw)
			}
		}
	}
	if got := a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN}); len(got) != 1 || got[0].NextState != StateClosed {
		t.Errorf("Closed = %+v", got)
	}
}

// Whatever the chunking, the same messages come out.
func TestChunking(t *testing.T) {
	want := analyzertest.Feed(NewAnalyzer(), sessionSteps, 0)
	for _, size := range []int{1, 2, 3, 7, 64} {
		got := analyzertest.Feed(NewAnalyzer(), sessionSteps, size)
		if len(got) != len(want) {
			t.Fatalf("chunks of %d: %d messages, want %d", size, len(got), len(want))
		}
		for i := range got {
			if got[i].Summary != want[i].Summary || string(got[i].Raw) != string(want[i].Raw) {
				t.Errorf("chunks of %d: message %d = %q, want %q", size, i, got[i].Summary, want[i].Summary)
			}
		}
	}
}

func TestDataRefused(t *testing.T) {
	a := NewAnalyzer()
	msgs := analyzertest.Feed(a, []step{
		{s2c, "220 hi\r\n"},
		{c2s, "EHLO x\r\n"},
		{s2c, "250 hi\r\n"},
		{c2s, "MAIL FROM:<a@b>\r\n"},
		{s2c, "250 ok\r\n"},
		{c2s, "DATA\r\n"},
		{c2s, "QUIT\r\n"}, // sent early; waits for DATA's reply
		{s2c, "503 5.5.1 No recipients\r\n221 bye\r\n"},
	}, 0)
	if last := msgs[len(msgs)-1]; last.Summary != "221 bye" || last.NextState != StateQuit {
		t.Errorf("last = %q → %q", last.Summary, last.NextState)
	}
	if !slices.ContainsFunc(msgs, func(m lab.Message) bool { return m.Summary == "QUIT" }) {
		t.Error("QUIT after a refused DATA was not framed as a command")
	}
}

func TestBDAT(t *testing.T) {
	a := NewAnalyzer()
	body := "Subject: x\r\n\r\nhi\r\n"
	msgs := analyzertest.Feed(a, []step{
		{s2c, "220 hi\r\n"},
		{c2s, "EHLO x\r\n"},
		{s2c, "250 hi\r\n"},
		{c2s, "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nBDAT 18 LAST\r\n" + body},
		{s2c, "250 ok\r\n250 ok\r\n250 2.0.0 queued\r\n"},
	}, 0)
	var got []string
	for _, m := range msgs {
		got = append(got, m.Summary)
	}
	if !slices.Contains(got, `chunk: message "x" (18 bytes) (last)`) || a.State() != StateGreeted {
		t.Errorf("BDAT session: %q, state %q", got, a.State())
	}
}

func TestParseReply(t *testing.T) {
	for _, c := range []struct {
		in, str string
		lines   int
		err     error
	}{
		{"250 ok\r\n", "250 ok", 1, nil},
		{"250 2.1.0 ok\r\n", "250 2.1.0 ok", 1, nil},
		{"550 2.1.0 ok\r\n", "550 2.1.0 ok", 1, nil}, // class mismatch: no enhanced code
		{"250-a\r\n250-b\r\n250 c\r\n", "250 a", 3, nil},
		{"250\r\n", "250", 1, nil},
		{"250-a\r\n", "", 0, ErrIncomplete},
		{"250-a\r\n251 b\r\n", "", 0, ErrBadReply},
		{"hello\r\n", "", 0, ErrBadReply},
		{"199 x\r\n", "", 0, ErrBadReply},
	} {
		r, _, err := ParseReply([]byte(c.in))
		if err != c.err || (err == nil && (r.String() != c.str || len(r.Lines) != c.lines)) {
			t.Errorf("ParseReply(%q) = %q (%d lines), %v; want %q (%d), %v", c.in, r.String(), len(r.Lines), err, c.str, c.lines, c.err)
		}
	}
}
