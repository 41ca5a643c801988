package pop3

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

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

const testMail = "From: Alice <alice@alpha.test>\r\nTo: bob@beta.test\r\nSubject: Lunch?\r\n\r\nAt noon.\r\n..a line that began with a dot\r\n"

var sessionSteps = []step{
	{s2c, "+OK POP3 server ready <1896.697170952@alpha.test>\r\n"},
	{c2s, "CAPA\r\n"},
	{s2c, "+OK Capability list follows\r\nUSER\r\nUIDL\r\nTOP\r\nSTLS\r\n.\r\n"},
	{c2s, "USER alice\r\n"},
	{s2c, "+OK send PASS\r\n"},
	{c2s, "PASS wrong\r\n"},
	{s2c, "-ERR [AUTH] invalid user name or password\r\n"},
	{c2s, "USER alice\r\n"},
	{s2c, "+OK send PASS\r\n"},
	{c2s, "PASS alice\r\n"},
	{s2c, "+OK maildrop locked and ready\r\n"},
	{c2s, "STAT\r\n"},
	{s2c, "+OK 2 320\r\n"},
	{c2s, "LIST\r\n"},
	{s2c, "+OK 2 messages\r\n1 120\r\n2 200\r\n.\r\n"},
	{c2s, "RETR 1\r\n"},
	{s2c, "+OK 120 octets\r\n" + testMail + ".\r\n"},
	{c2s, "DELE 1\r\n"},
	{s2c, "+OK message 1 deleted\r\n"},
	{c2s, "RSET\r\n"},
	{s2c, "+OK\r\n"},
	{c2s, "DELE 2\r\n"},
	{s2c, "+OK message 2 deleted\r\n"},
	{c2s, "UIDL\r\n"},
	{s2c, "+OK unique-id listing follows\r\n1 7.1\r\n.\r\n"},
	{c2s, "TOP 1 0\r\n"},
	{s2c, "+OK top of message follows\r\nSubject: Lunch?\r\n\r\n.\r\n"},
	{c2s, "QUIT\r\n"},
	{s2c, "+OK bye, 1 message deleted\r\n"},
}

func TestAnalyzerSession(t *testing.T) {
	for _, chunk := range []int{0, 1} { // framing must not depend on chunking
		a := NewAnalyzer()
		a.Opened(lab.OpenInfo{})
		msgs := analyzertest.Feed(a, sessionSteps, chunk)
		text := map[string]lab.Message{}
		for _, m := range msgs {
			text[m.Summary] = m
		}
		if got, want := strings.Join(analyzertest.States(msgs), " "), "TRANSACTION UPDATE closed"; got != want {
			t.Errorf("states = %q, want %q", got, want)
		}
		if len(msgs) != len(sessionSteps) {
			t.Errorf("%d messages, want %d: %q", len(msgs), len(sessionSteps), analyzertest.Summaries(msgs))
		}
		var raw strings.Builder
		for _, m := range msgs {
			raw.Write(m.Raw)
		}
		var all strings.Builder
		for _, s := range sessionSteps {
			all.WriteString(s.Data)
		}
		if raw.String() != all.String() {
			t.Errorf("the messages' Raw bytes are not the session's bytes")
		}
		pass, ok := text["PASS ****"]
		if !ok || string(pass.Raw) != "PASS alice\r\n" || !strings.Contains(pass.Meaning, "masks") {
			t.Errorf("PASS message = %+v", pass)
		}
		retr := text["+OK 120 octets"]
		if retr.Raw == nil || !slices.Contains(retr.Fields, lab.Field{Name: "Subject", Value: "Lunch?"}) ||
			!slices.Contains(retr.Fields, lab.Field{Name: "From", Value: "Alice <alice@alpha.test>"}) ||
			!slices.Contains(retr.Fields, lab.Field{Name: "mail", Value: fmt.Sprintf("%d bytes, dot-stuffing undone", len(testMail)-1)}) { // one stuffed dot
			t.Errorf("RETR's response is not one message with the mail's From, Subject and size: %q", analyzertest.Summaries(msgs))
		}
		if m := text["+OK message 2 deleted"]; !strings.Contains(m.Meaning, "only marked") {
			t.Errorf("DELE's meaning = %q", m.Meaning)
		}
		if m := text["+OK"]; !strings.Contains(m.Meaning, "message 1 unmarked") {
			t.Errorf("RSET's meaning = %q", m.Meaning)
		}
		if m := text["QUIT"]; !strings.Contains(m.Meaning, "UPDATE") || !strings.Contains(m.Meaning, "message 2") || m.NextState != StateUpdate {
			t.Errorf("QUIT = %+v", m)
		}
		if m := text["-ERR [AUTH] invalid user name or password"]; !strings.Contains(m.Meaning, "login failed") || !strings.Contains(m.Meaning, "[AUTH]") {
			t.Errorf("-ERR [AUTH] meaning = %q", m.Meaning)
		}
		if m := text["+OK Capability list follows"]; !strings.Contains(m.Meaning, "STLS is among them") {
			t.Errorf("CAPA's response = %+v", m)
		}
		if m := text["+OK POP3 server ready <1896.697170952@alpha.test>"]; !strings.Contains(m.Meaning, "APOP") {
			t.Errorf("greeting meaning = %q", m.Meaning)
		}
		if a.State() != StateClosed {
			t.Errorf("State = %q, want closed", a.State())
		}
	}
}

func TestAnalyzerCloseWithoutQuit(t *testing.T) {
	a := NewAnalyzer()
	a.Opened(lab.OpenInfo{})
	analyzertest.Feed(a, sessionSteps[:23], 0) // logged in, message 2 marked
	msgs := a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN})
	if len(msgs) != 1 || msgs[0].NextState != StateClosed || !strings.Contains(msgs[0].Meaning, "message 2 stay") {
		t.Errorf("close in TRANSACTION = %+v", msgs)
	}
}

func TestAnalyzerBigMail(t *testing.T) {
	a := NewAnalyzer()
	analyzertest.Feed(a, sessionSteps[:11], 0)
	a.Feed(c2s, []byte("RETR 1\r\n"), time.Time{})
	var msgs []lab.Message
	msgs = append(msgs, a.Feed(s2c, []byte("+OK\r\nSubject: big\r\n\r\n"), time.Time{})...)
	line := []byte(strings.Repeat("x", 100<<10)) // one long line, in pieces
	for range 30 {
		msgs = append(msgs, a.Feed(s2c, line, time.Time{})...)
		if a.buf[s2c].Held() > 2 {
			t.Fatalf("holds %d bytes in a mail's body", a.buf[s2c].Held())
		}
	}
	msgs = append(msgs, a.Feed(s2c, []byte("\r\n."), time.Time{})...)
	msgs = append(msgs, a.Feed(s2c, []byte("\r\n+OK 1 1\r\n"), time.Time{})...)
	if len(msgs) != 2 {
		t.Fatalf("messages = %q, want the mail and a stray response", analyzertest.Summaries(msgs))
	}
	if fields, _ := msgs[0].Detail(); len(msgs[0].Raw) != MaxBodyKept || msgs[0].Summary != "+OK" || !slices.Contains(fields, lab.Field{Name: "Subject", Value: "big"}) {
		t.Errorf("big mail: %d bytes kept, summary %q", len(msgs[0].Raw), msgs[0].Summary)
	}
}

func TestAnalyzerOverlongCommand(t *testing.T) {
	a := NewAnalyzer()
	msgs := analyzertest.Feed(a, []step{{s2c, "+OK hi\r\n"}, {c2s, "USER " + strings.Repeat("a", 300) + "\r\n"}, {s2c, "-ERR line too long\r\n"}}, 0)
	if len(msgs) != 3 || !strings.HasPrefix(msgs[1].Summary, "malformed command") || !strings.Contains(msgs[1].Meaning, "255") {
		t.Errorf("overlong command: %q", analyzertest.Summaries(msgs))
	}
}

// TestAnalyzerSTLS runs a real STLS session and checks that the analyzer hands
// the rest to TLS, decrypts it with the key log and follows the login inside.
func TestAnalyzerSTLS(t *testing.T) {
	steps, keys := analyzertest.StartTLS{
		Greeting: "+OK ready\r\n",
		Ask:      "STLS\r\n",
		GoAhead:  "+OK Begin TLS\r\n",
		Inside:   []string{"USER alice\r\n", "+OK\r\n", "PASS alice\r\n", "+OK logged in\r\n", "QUIT\r\n", "+OK bye\r\n"},
	}.Run(t)

	a := NewAnalyzer()
	a.UseKeys(keys)
	a.Opened(lab.OpenInfo{})
	msgs := analyzertest.Feed(a, steps, 0)
	msgs = append(msgs, a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN})...)
	var pop3, states []string
	sawTLS := false
	for _, m := range msgs {
		switch m.Layer {
		case "":
			pop3 = append(pop3, m.Summary)
			// The TLS analyzer announces the inner layer's first state, AUTHORIZATION,
			// which is where the session already is.
			if m.NextState != "" && (len(states) > 0 || m.NextState != StateAuthorization) {
				states = append(states, m.NextState)
			}
		case "tls":
			sawTLS = true
		}
	}
	want := []string{"+OK ready", "STLS", "+OK Begin TLS", "encrypted from here (TLS)", "USER alice", "+OK", "PASS ****", "+OK logged in", "QUIT", "+OK bye"}
	if len(pop3) < len(want) || !slices.Equal(pop3[:len(want)], want) {
		t.Errorf("POP3 messages = %q, want %q first", pop3, want)
	}
	if !sawTLS {
		t.Error("no TLS layer messages after STLS")
	}
	if got := strings.Join(states, " "); got != "TRANSACTION UPDATE closed" {
		t.Errorf("states inside TLS = %q", got)
	}
	if a.State() != StateClosed {
		t.Errorf("State = %q, want closed", a.State())
	}
}

func TestProtocol(t *testing.T) {
	p := Protocol()
	if p.Name != "pop3" || p.Title != "POP3" || p.DefaultPort != 1110 || p.Transport != "tcp" || p.NewAnalyzer() == nil {
		t.Errorf("Protocol = %+v", p)
	}
	for _, tr := range p.Transitions {
		if !slices.Contains(p.States, tr[0]) || !slices.Contains(p.States, tr[1]) {
			t.Errorf("transition %v between unknown states", tr)
		}
	}
}
