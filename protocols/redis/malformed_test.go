package redis

import (
	"slices"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// malformedTests are frames that break RESP, each followed in the tests by a
// PING: framing goes on after them.
var malformedTests = []struct {
	bad  step
	want string
}{
	{step{s2c, "?what\r\n"}, "malformed: an unknown type byte '?'"},
	{step{s2c, "$abc\r\nxyz\r\n"}, `malformed: a bad bulk string length "abc"`},
	{step{s2c, "$-2\r\n"}, `malformed: a bad bulk string length "-2"`},
	{step{s2c, "$3\r\nabcde\r\n"}, "malformed: a bulk string of 3 bytes not followed by CR LF"},
	{step{s2c, "*x\r\n"}, `malformed: a bad array length "x"`},
	{step{s2c, ":12a\r\n"}, `malformed: an integer that is not a signed 64-bit number: "12a"`},
	{step{s2c, "+OK\n"}, "malformed: a simple string's line not ended by CR LF"},
	{step{s2c, "#x\r\n"}, `malformed: a boolean that is neither t nor f: "x"`},
	{step{s2c, "=2\r\nab\r\n"}, "malformed: a verbatim string without its three-letter format and colon"},
	{step{s2c, strings.Repeat("*1\r\n", 40) + ":1\r\n"}, "malformed: aggregates nested more than 32 deep"},
	{step{c2s, "*2\r\n$3\r\nGET\r\n:1\r\n"}, "malformed: a command with a integer among its bulk strings"},
	{step{c2s, "*1\r\n$x\r\n"}, `malformed: a bad bulk string length "x"`},
	{step{c2s, "set 'a\r\n"}, "malformed: unbalanced quotes in an inline command"},
}

func TestMalformed(t *testing.T) {
	for _, tt := range malformedTests {
		steps := []step{{c2s, cmd("GET", "k")}, tt.bad, {c2s, cmd("PING")}, {s2c, "+PONG\r\n"}}
		for _, chunk := range []int{0, 1} {
			a := NewAnalyzer()
			msgs := analyzertest.Feed(a, steps, chunk)
			sums := analyzertest.Summaries(msgs)
			if !slices.Contains(sums, tt.want) || !slices.Contains(sums, "PING") {
				t.Errorf("%q in chunks of %d: %q, want %q and PING after", tt.bad.Data, chunk, sums, tt.want)
			}
			for _, m := range msgs {
				if strings.HasPrefix(m.Summary, "malformed") && (m.Meaning == "" || len(m.Raw) == 0) {
					t.Errorf("%q: %+v", tt.bad.Data, m)
				}
			}
			analyzertest.CheckSpans(t, msgs)
		}
	}
}

// TestTooBig: a bulk string longer than the analyzer holds is counted through
// to the end of its frame, and framing goes on after it; what is held stays
// bounded.
func TestTooBig(t *testing.T) {
	big := strings.Repeat("x", MaxBulk+1)
	steps := []step{
		{c2s, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + itoa(len(big)) + "\r\n" + big + "\r\n" + cmd("PING")},
		{s2c, "-ERR Protocol error: invalid bulk length\r\n+PONG\r\n"},
		{c2s, "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"},
		{s2c, "*2\r\n$" + itoa(len(big)) + "\r\n" + big + "\r\n%1\r\n+a\r\n:1\r\n"},
	}
	for _, chunk := range []int{0, 64 << 10} {
		a := NewAnalyzer()
		msgs := analyzertest.Feed(a, steps, chunk)
		want := []string{"a frame with a bulk string of 4194305 bytes, not held", "PING",
			"(error) ERR Protocol error: invalid bulk length", "PING → PONG", "GET k", "a frame with a bulk string of 4194305 bytes, not held"}
		if got := analyzertest.Summaries(msgs); !slices.Equal(got, want) {
			t.Errorf("in chunks of %d: %q, want %q", chunk, got, want)
		}
		for _, m := range msgs {
			if len(m.Raw) > keptBig {
				t.Errorf("%q keeps %d bytes", m.Summary, len(m.Raw))
			}
		}
	}
	// A frame whose elements together outgrow the bound.
	var many strings.Builder
	many.WriteString("*300000\r\n")
	for range 300000 {
		many.WriteString("$20\r\n01234567890123456789\r\n")
	}
	a := NewAnalyzer()
	msgs := analyzertest.Feed(a, []step{{c2s, cmd("X")}, {s2c, many.String() + "+OK\r\n"}}, 1<<20)
	if got := analyzertest.Summaries(msgs); len(got) != 3 || got[2] != "OK" || a.Pending(s2c) != 0 {
		t.Errorf("a long array: %q", got)
	}
	if a.Closed(lab.CloseInfo{}); a.State() != StateClosed {
		t.Error("not closed")
	}
}

// TestUnfinished: an array the connection's end cuts short is shown.
func TestUnfinished(t *testing.T) {
	a := NewAnalyzer()
	analyzertest.Feed(a, []step{{c2s, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n"}}, 0)
	end := a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN})
	if len(end) != 1 || end[0].Summary != "20 bytes of an unfinished frame" || end[0].NextState != StateClosed {
		t.Errorf("%q", analyzertest.Summaries(end))
	}
}
