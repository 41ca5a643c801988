package starttls_test

import (
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/ftp"
	"github.com/protocollab/protolab/protocols/imap"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
	"github.com/protocollab/protolab/protocols/pop3"
	"github.com/protocollab/protolab/protocols/smtp"
)

const (
	c2s = lab.ClientToServer
	s2c = lab.ServerToClient
)

// pipelinedTests are, for each protocol with a way into TLS, a session whose
// client pipelines commands after its request for TLS, in the same write
// (which its RFC forbids, and whose bytes the server discards), and the same
// bytes answered by a refusal.
var pipelinedTests = []struct {
	name    string
	new     func() lab.Analyzer
	ref     string
	session analyzertest.StartTLS
	want    []string // the protocol's own messages
	state   string   // after it
	refused []analyzertest.Step
	then    []string // the messages of refused: the last answers the command before it
	end     string   // bytes the client sends after its request, which the connection's end leaves unanswered
	ended   string   // the first message at the end: its first command
}{
	{
		name: "smtp", new: func() lab.Analyzer { return smtp.NewAnalyzer() }, ref: "RFC 3207 §4.2",
		session: analyzertest.StartTLS{
			Greeting: "220 mail.lab.test ESMTP\r\n",
			Ask:      "STARTTLS\r\nRSET\r\nMAIL FROM:<a@b>\r\n",
			GoAhead:  "220 2.0.0 Ready to start TLS\r\n",
			Inside:   []string{"EHLO x\r\n", "250 mail.lab.test\r\n", "QUIT\r\n", "221 bye\r\n"},
		},
		want: []string{"220 mail.lab.test ESMTP", "STARTTLS", "discarded: RSET", "discarded: MAIL FROM:<a@b>", "220 2.0.0 Ready to start TLS",
			"encrypted from here (TLS)", "EHLO x", "250 mail.lab.test", "QUIT", "221 bye"},
		state:   smtp.StateQuit,
		refused: []analyzertest.Step{{Dir: s2c, Data: "220 hi\r\n"}, {Dir: c2s, Data: "STARTTLS\r\nRSET\r\n"}, {Dir: s2c, Data: "454 TLS not available\r\n250 ok\r\n"}},
		then:    []string{"220 hi", "STARTTLS", "454 TLS not available", "RSET", "250 ok"},
	},
	{
		name: "pop3", new: func() lab.Analyzer { return pop3.NewAnalyzer() }, ref: "RFC 2595 §4",
		session: analyzertest.StartTLS{
			Greeting: "+OK ready\r\n",
			Ask:      "STLS\r\nUSER alice\r\n",
			GoAhead:  "+OK Begin TLS\r\n",
			Inside:   []string{"USER alice\r\n", "+OK\r\n", "QUIT\r\n", "+OK bye\r\n"},
		},
		want:    []string{"+OK ready", "STLS", "discarded: USER alice", "+OK Begin TLS", "encrypted from here (TLS)", "USER alice", "+OK", "QUIT", "+OK bye"},
		state:   pop3.StateClosed,
		refused: []analyzertest.Step{{Dir: s2c, Data: "+OK hi\r\n"}, {Dir: c2s, Data: "STLS\r\nNOOP\r\n"}, {Dir: s2c, Data: "-ERR not now\r\n+OK noop\r\n"}},
		then:    []string{"+OK hi", "STLS", "-ERR not now", "NOOP", "+OK noop"},
		end:     "STLS\r\nQUIT\r\n", ended: "QUIT",
	},
	{
		name: "imap", new: func() lab.Analyzer { return imap.NewAnalyzer() }, ref: "RFC 2595 §3.1",
		session: analyzertest.StartTLS{
			Greeting: "* OK ready\r\n",
			Ask:      "a STARTTLS\r\nb NOOP\r\n",
			GoAhead:  "a OK begin TLS\r\n",
			Inside:   []string{"c NOOP\r\n", "c OK done\r\n", "d LOGOUT\r\n", "d OK bye\r\n"},
		},
		want:    []string{"* OK ready", "a STARTTLS", "discarded: b NOOP", "a OK begin TLS", "encrypted from here (TLS)", "c NOOP", "c OK done", "d LOGOUT", "d OK bye"},
		state:   imap.StateLogout,
		refused: []analyzertest.Step{{Dir: s2c, Data: "* OK hi\r\n"}, {Dir: c2s, Data: "a STARTTLS\r\nb NOOP\r\n"}, {Dir: s2c, Data: "a BAD no TLS here\r\nb OK done\r\n"}},
		then:    []string{"* OK hi", "a STARTTLS", "a BAD no TLS here", "b NOOP", "b OK done"},
		end:     "c STARTTLS\r\nd LOGOUT\r\n", ended: "d LOGOUT",
	},
	{
		name: "ftp", new: func() lab.Analyzer { return ftp.NewAnalyzer() }, ref: "RFC 4217 §4",
		session: analyzertest.StartTLS{
			Greeting: "220 ready\r\n",
			Ask:      "AUTH TLS\r\nUSER alice\r\n",
			GoAhead:  "234 AUTH TLS ok\r\n",
			Inside:   []string{"USER alice\r\n", "331 password\r\n", "QUIT\r\n", "221 bye\r\n"},
		},
		want:    []string{"220 ready", "AUTH TLS", "discarded: USER alice", "234 AUTH TLS ok", "encrypted from here (TLS)", "USER alice", "331 password", "QUIT", "221 bye"},
		state:   ftp.StateClosed,
		refused: []analyzertest.Step{{Dir: s2c, Data: "220 hi\r\n"}, {Dir: c2s, Data: "AUTH TLS\r\nUSER alice\r\n"}, {Dir: s2c, Data: "502 no TLS\r\n331 password\r\n"}},
		then:    []string{"220 hi", "AUTH TLS", "502 no TLS", "USER alice", "331 password"},
		end:     "AUTH TLS\r\nQUIT\r\n", ended: "QUIT",
	},
}

// TestPipelined checks, for each protocol, that the commands a client
// pipelines after its request for TLS show as discarded, and that TLS starts at
// the handshake after them: it is decoded and decrypted, and the session inside
// carries on.
func TestPipelined(t *testing.T) {
	for _, tt := range pipelinedTests {
		t.Run(tt.name, func(t *testing.T) {
			steps, keys := tt.session.Run(t)
			a := analyzertest.CheckStartTLS(t, steps, keys, tt.new, tt.ref, tt.want...)
			if a.State() != tt.state {
				t.Errorf("state %q, want %q", a.State(), tt.state)
			}
		})
	}
}

// TestPipelinedRefused checks, for each protocol, that the commands pipelined
// after a request for TLS the server refuses are read as the commands they are,
// answered by the replies after the refusal; and that those after a request the
// connection's end leaves unanswered are commands too.
func TestPipelinedRefused(t *testing.T) {
	for _, tt := range pipelinedTests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.new()
			a.(lab.ConnAnalyzer).Opened(lab.OpenInfo{})
			msgs := analyzertest.Expect(t, a, tt.refused, tt.then...)
			if len(msgs) == len(tt.then) {
				if got, want := answers(msgs[len(msgs)-1]), tt.then[len(tt.then)-2]; got != want {
					t.Errorf("%q answers %q, want %q", tt.then[len(tt.then)-1], got, want)
				}
			}
			if tt.end == "" {
				return // SMTP holds the bytes itself, and shows them as cut short
			}
			a.Feed(c2s, []byte(tt.end), time.Time{})
			if got := analyzertest.Summaries(a.(lab.ConnAnalyzer).Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN})); len(got) == 0 || got[0] != tt.ended {
				t.Errorf("at the end: %q, want %q first", got, tt.ended)
			}
		})
	}
}

// answers is the command a reply answers, as its "in answer to" field says.
func answers(m lab.Message) string {
	for _, f := range m.Fields {
		if f.Name == "in answer to" {
			return f.Value
		}
	}
	return ""
}
