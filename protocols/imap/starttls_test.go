package imap

import (
	"strings"
	"testing"
	"time"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// TestStartTLSPipelined checks that the commands a client pipelines after
// STARTTLS, in the same segment, show as discarded and that TLS starts at the
// handshake after them: it is decoded and decrypted.
func TestStartTLSPipelined(t *testing.T) {
	steps, keys := analyzertest.StartTLS{
		Greeting: "* OK ready\r\n",
		Ask:      "a STARTTLS\r\nb NOOP\r\n",
		GoAhead:  "a OK begin TLS\r\n",
		Inside:   []string{"c NOOP\r\n", "c OK done\r\n", "d LOGOUT\r\n", "d OK bye\r\n"},
	}.Run(t)
	_, msgs := analyzertest.CheckStartTLS(t, steps, keys, func() lab.Analyzer { return NewAnalyzer() }, []string{
		"* OK ready", "a STARTTLS", "a OK begin TLS", "discarded: b NOOP", "encrypted from here (TLS)", "c NOOP", "c OK done", "d LOGOUT", "d OK bye"})
	for _, m := range msgs {
		if strings.HasPrefix(m.Summary, "discarded") && m.Ref != "RFC 2595 §3.1" {
			t.Errorf("%q: ref %q", m.Summary, m.Ref)
		}
	}
}

// TestStartTLSRefusedPipelined checks that the commands pipelined after a
// STARTTLS the server refuses are read as commands, and those after one never
// answered too.
func TestStartTLSRefusedPipelined(t *testing.T) {
	a := NewAnalyzer()
	a.Opened(lab.OpenInfo{})
	msgs := analyzertest.Feed(a, []step{
		{s2c, "* OK hi\r\n"}, {c2s, "a STARTTLS\r\nb NOOP\r\n"}, {s2c, "a BAD no TLS here\r\nb OK done\r\n"},
	}, 0)
	got := analyzertest.Summaries(msgs)
	want := []string{"* OK hi", "a STARTTLS", "a BAD no TLS here", "b NOOP", "b OK done"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("messages %q, want %q", got, want)
	}
	if !strings.Contains(msgs[4].Meaning, "completion of NOOP") {
		t.Errorf("b OK means %q, want the completion of NOOP", msgs[4].Meaning)
	}
	a.Feed(c2s, []byte("c STARTTLS\r\nd LOGOUT\r\n"), time.Time{})
	closed := analyzertest.Summaries(a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN}))
	if len(closed) == 0 || closed[0] != "d LOGOUT" {
		t.Errorf("at the end: %q, want d LOGOUT first", closed)
	}
}
