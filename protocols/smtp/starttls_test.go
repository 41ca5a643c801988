package smtp

import (
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// TestStartTLSPipelined checks that the commands a client pipelines after
// STARTTLS, in the same segment, show as discarded (the server discards them)
// and that TLS starts at the handshake after them: it is decoded and decrypted.
func TestStartTLSPipelined(t *testing.T) {
	steps, keys := analyzertest.StartTLS{
		Greeting: "220 mail.lab.test ESMTP\r\n",
		Ask:      "STARTTLS\r\nRSET\r\nMAIL FROM:<a@b>\r\n",
		GoAhead:  "220 2.0.0 Ready to start TLS\r\n",
		Inside:   []string{"EHLO x\r\n", "250 mail.lab.test\r\n", "QUIT\r\n", "221 bye\r\n"},
	}.Run(t)
	a, msgs := analyzertest.CheckStartTLS(t, steps, keys, func() lab.Analyzer { return NewAnalyzer() }, []string{
		"220 mail.lab.test ESMTP", "STARTTLS", "220 2.0.0 Ready to start TLS", "discarded: RSET", "discarded: MAIL FROM:<a@b>",
		"encrypted from here (TLS)", "EHLO x", "250 mail.lab.test", "QUIT", "221 bye"})
	for _, m := range msgs {
		if m.Summary == "discarded: RSET" && (m.Dir != lab.ClientToServer || m.Ref != "RFC 3207 §4.2" || string(m.Raw) != "RSET\r\n") {
			t.Errorf("discarded RSET = %+v", m)
		}
	}
	if a.State() != StateQuit {
		t.Errorf("state %q, want %q", a.State(), StateQuit)
	}
}

// TestStartTLSRefusedPipelined checks that the commands pipelined after a
// STARTTLS the server refuses are read as the commands they are.
func TestStartTLSRefusedPipelined(t *testing.T) {
	a := NewAnalyzer()
	got := analyzertest.Summaries(analyzertest.Feed(a, []step{
		{s2c, "220 hi\r\n"}, {c2s, "STARTTLS\r\nRSET\r\n"}, {s2c, "454 TLS not available\r\n250 ok\r\n"},
	}, 0))
	want := []string{"220 hi", "STARTTLS", "454 TLS not available", "RSET", "250 ok"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("messages %q, want %q", got, want)
	}
}
