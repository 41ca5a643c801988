package pop3

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// firstLine is the first line of raw without its CRLF.
func firstLine(raw []byte) string {
	line, _, _ := bytes.Cut(raw, []byte("\n"))
	return string(bytes.TrimSuffix(line, []byte("\r")))
}

// TestSummaryIsTheWireLine: every message's summary is the line that crossed
// (a multi-line response's status line), secrets masked; what it means is
// beside it.
func TestSummaryIsTheWireLine(t *testing.T) {
	a := NewAnalyzer()
	a.Opened(lab.OpenInfo{})
	msgs := analyzertest.Feed(a, sessionSteps, 0)
	if len(msgs) != len(sessionSteps) {
		t.Fatalf("%d messages, want %d: %q", len(msgs), len(sessionSteps), analyzertest.Summaries(msgs))
	}
	for _, m := range msgs {
		want := firstLine(m.Raw)
		if strings.HasPrefix(want, "PASS ") {
			want = "PASS ****"
		}
		if m.Summary != want {
			t.Errorf("summary %q, want the wire line %q", m.Summary, want)
		}
		if m.Meaning == "" {
			t.Errorf("%q has no meaning", m.Summary)
		}
	}
}

func TestTopAsSent(t *testing.T) {
	a := NewAnalyzer()
	analyzertest.Feed(a, sessionSteps[:11], 0) // logged in
	const answer = "+OK Headers and 5 lines of message 1 follow\r\nSubject: Lunch?\r\n\r\nAt noon.\r\n.\r\n"
	msgs := analyzertest.Feed(a, []step{
		{c2s, "top 1 5\r\n"},
		{s2c, answer},
		{c2s, "Retr 2\r\n"},
		{s2c, "+OK 300 octets\r\nSubject: cut\r\n\r\nhalf"},
	}, 0)
	msgs = append(msgs, a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN})...)
	got := analyzertest.Summaries(msgs)
	want := []string{"top 1 5", "+OK Headers and 5 lines of message 1 follow", "Retr 2", "+OK 300 octets"}
	if len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
		t.Fatalf("summaries = %q, want %q first", got, want)
	}
	top := msgs[1]
	follows := "the headers and the first 5 lines of the body of message 1"
	if !slices.Contains(top.Fields, lab.Field{Name: "what follows", Value: follows}) || !strings.Contains(top.Meaning, follows) ||
		!slices.Contains(top.Fields, lab.Field{Name: "size", Value: fmt.Sprintf("%d bytes on the wire, 3 lines", len(answer))}) {
		t.Errorf("TOP's answer = %+v", top)
	}
	if f := msgs[0].Fields; !slices.ContainsFunc(f, func(x lab.Field) bool { return x.Name == "command" && x.Value == "TOP" }) {
		t.Errorf("top's fields = %+v", f)
	}
	cut := msgs[3]
	if !slices.Contains(cut.Fields, lab.Field{Name: "cut off", Value: `the connection ended before the line "."`}) ||
		!slices.Contains(cut.Fields, lab.Field{Name: "what follows", Value: "message 2, whole: its headers, a blank line and its body"}) ||
		!strings.Contains(cut.Meaning, "did not get all of it") {
		t.Errorf("cut-off RETR answer = %+v", cut)
	}
}

func TestSASLResponseMasked(t *testing.T) {
	a := NewAnalyzer()
	msgs := analyzertest.Feed(a, []step{
		{s2c, "+OK hi\r\n"},
		{c2s, "AUTH PLAIN\r\n"},
		{s2c, "+ \r\n"},
		{c2s, "AGFsaWNlAGFsaWNl\r\n"},
		{s2c, "-ERR [AUTH] no\r\n"},
		{c2s, "AUTH PLAIN\r\n"},
		{s2c, "+ \r\n"},
		{c2s, "*\r\n"},
		{s2c, "-ERR cancelled\r\n"},
	}, 0)
	got := analyzertest.Summaries(msgs)
	want := []string{"+OK hi", "AUTH PLAIN", "+ ", "****", "-ERR [AUTH] no", "AUTH PLAIN", "+ ", "*", "-ERR cancelled"}
	if !slices.Equal(got, want) {
		t.Fatalf("summaries = %q, want %q", got, want)
	}
	if string(msgs[3].Raw) != "AGFsaWNlAGFsaWNl\r\n" || !strings.Contains(msgs[3].Meaning, "masks") || !strings.Contains(msgs[7].Meaning, "cancels") {
		t.Errorf("SASL responses = %+v, %+v", msgs[3], msgs[7])
	}
}
