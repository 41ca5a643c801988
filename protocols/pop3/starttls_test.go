package pop3

import (
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// TestSTLSPipelined checks that the commands a client pipelines after STLS, in
// the same segment, show as discarded and that TLS starts at the handshake
// after them: it is decoded and decrypted.
func TestSTLSPipelined(t *testing.T) {
	steps, keys := analyzertest.StartTLS{
		Greeting: "+OK ready\r\n",
		Ask:      "STLS\r\nUSER alice\r\n",
		GoAhead:  "+OK Begin TLS\r\n",
		Inside:   []string{"USER alice\r\n", "+OK\r\n", "QUIT\r\n", "+OK bye\r\n"},
	}.Run(t)
	_, msgs := analyzertest.CheckStartTLS(t, steps, keys, func() lab.Analyzer { return NewAnalyzer() }, []string{
		"+OK ready", "STLS", "+OK Begin TLS", "discarded: USER alice", "encrypted from here (TLS)", "USER alice", "+OK", "QUIT", "+OK bye"})
	for _, m := range msgs {
		if strings.HasPrefix(m.Summary, "discarded") && m.Ref != "RFC 2595 §4" {
			t.Errorf("%q: ref %q", m.Summary, m.Ref)
		}
	}
}

// TestSTLSRefusedPipelined checks that the commands pipelined after an STLS the
// server refuses are read as commands, answered by the responses after it.
func TestSTLSRefusedPipelined(t *testing.T) {
	a := NewAnalyzer()
	a.Opened(lab.OpenInfo{})
	msgs := analyzertest.Feed(a, []step{
		{s2c, "+OK hi\r\n"}, {c2s, "STLS\r\nNOOP\r\n"}, {s2c, "-ERR not now\r\n+OK\r\n"},
	}, 0)
	got := analyzertest.Summaries(msgs)
	want := []string{"+OK hi", "STLS", "-ERR not now", "NOOP", "+OK"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("messages %q, want %q", got, want)
	}
	if f := msgs[4].Fields; len(f) == 0 || f[len(f)-1].Value != "NOOP" {
		t.Errorf("+OK fields %+v, want it in answer to NOOP", f)
	}
	// Unanswered: at the connection's end the bytes after STLS are commands too.
	a.Feed(c2s, []byte("STLS\r\nQUIT\r\n"), time.Time{})
	closed := analyzertest.Summaries(a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN}))
	if len(closed) == 0 || closed[0] != "QUIT" {
		t.Errorf("at the end: %q, want QUIT first", closed)
	}
}
