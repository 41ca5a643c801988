package ftp

import (
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// TestAuthTLSPipelined checks that the commands a client pipelines after AUTH
// TLS, in the same segment, show as discarded and that TLS starts at the
// handshake after them: it is decoded and decrypted.
func TestAuthTLSPipelined(t *testing.T) {
	steps, keys := analyzertest.StartTLS{
		Greeting: "220 ready\r\n",
		Ask:      "AUTH TLS\r\nUSER alice\r\n",
		GoAhead:  "234 AUTH TLS ok\r\n",
		Inside:   []string{"USER alice\r\n", "331 password\r\n", "QUIT\r\n", "221 bye\r\n"},
	}.Run(t)
	_, msgs := analyzertest.CheckStartTLS(t, steps, keys, func() lab.Analyzer { return NewAnalyzer() }, []string{
		"220 ready", "AUTH TLS", "234 AUTH TLS ok", "discarded: USER alice", "encrypted from here (TLS)", "USER alice", "331 password", "QUIT", "221 bye"})
	for _, m := range msgs {
		if strings.HasPrefix(m.Summary, "discarded") && m.Ref != "RFC 4217 §4" {
			t.Errorf("%q: ref %q", m.Summary, m.Ref)
		}
	}
}

// TestAuthTLSRefusedPipelined checks that the commands pipelined after an AUTH
// TLS the server refuses are read as commands, answered by the replies after it.
func TestAuthTLSRefusedPipelined(t *testing.T) {
	a := NewAnalyzer()
	a.Opened(lab.OpenInfo{})
	got := analyzertest.Summaries(analyzertest.Feed(a, []step{
		{s2c, "220 hi\r\n"}, {c2s, "AUTH TLS\r\nUSER alice\r\n"}, {s2c, "502 no TLS\r\n331 password\r\n"},
	}, 0))
	want := []string{"220 hi", "AUTH TLS", "502 no TLS", "USER alice", "331 password"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("messages %q, want %q", got, want)
	}
	if a.State() != StateAwaitingPassword {
		t.Errorf("state %q, want %q", a.State(), StateAwaitingPassword)
	}
}
