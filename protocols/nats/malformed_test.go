package nats

import (
	"slices"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

var (
	hello = []step{{s2c, "INFO {\"server_id\":\"x\"}\r\n"}, {c2s, "CONNECT {}\r\n"}}
	ping  = step{c2s, "PING\r\n"}
)

// malformedTests are lines that break the protocol, each after a connected
// session and followed by a PING, which must be framed after them.
var malformedTests = []struct {
	name string
	bad  step
	want []string
}{
	{"a line over the maximum", step{c2s, "PUB " + strings.Repeat("x", MaxControlLine) + " 1\r\n"},
		[]string{"malformed: a control line longer than 4096 bytes"}},
	{"a byte count that is no number", step{c2s, "PUB a xyz\r\n"},
		[]string{`malformed: a byte count that is not a number: "xyz"`}},
	{"a negative byte count", step{c2s, "PUB a -1\r\n"},
		[]string{`malformed: a byte count that is not a number: "-1"`}},
	{"a header length over the total", step{c2s, "HPUB a 10 5\r\n"},
		[]string{"malformed: a header length larger than the total length"}},
	{"a payload longer than its count", step{c2s, "PUB a 2\r\nhello\r\n"},
		[]string{"malformed: the 2 bytes after the line are not followed by CR LF", `malformed: unknown verb "hello"`}},
	{"an unknown verb", step{c2s, "FOO bar\r\n"}, []string{`malformed: unknown verb "FOO"`}},
	{"too few arguments", step{c2s, "SUB a\r\n"}, []string{"malformed: SUB with 1 arguments"}},
	{"too many arguments", step{c2s, "UNSUB 1 2 3\r\n"}, []string{"malformed: UNSUB with 3 arguments"}},
	{"an empty line", step{c2s, "\r\n"}, []string{"malformed: an empty line"}},
	{"MSG from the client", step{c2s, "MSG a 1 2\r\nhi\r\n"}, []string{"malformed: MSG sent by the client: only the server sends it"}},
	{"PUB from the server", step{s2c, "PUB a 2\r\nhi\r\n"}, []string{"malformed: PUB sent by the server: only the client sends it"}},
}

func TestMalformed(t *testing.T) {
	for _, tt := range malformedTests {
		for _, chunk := range []int{0, 1} {
			a := NewAnalyzer()
			analyzertest.Feed(a, hello, 0)
			msgs := analyzertest.Feed(a, []step{tt.bad, ping}, chunk)
			want := append(slices.Clone(tt.want), "PING")
			if got := analyzertest.Summaries(msgs); !slices.Equal(got, want) {
				t.Errorf("%s, chunks of %d: %q, want %q", tt.name, chunk, got, want)
				continue
			}
			if m := msgs[0]; m.Meaning == "" || m.Pub != nil || m.NextState != "" {
				t.Errorf("%s: meaning %q, pub %v, next %q", tt.name, m.Meaning, m.Pub, m.NextState)
			}
			analyzertest.CheckSpans(t, msgs)
			if a.State() != StateConnected {
				t.Errorf("%s: state %q", tt.name, a.State())
			}
		}
	}
}

func TestTooBig(t *testing.T) {
	a := NewAnalyzer()
	analyzertest.Feed(a, hello, 0)
	n := MaxPayload + 1
	msgs := analyzertest.Feed(a, []step{{c2s, "PUB big 4194305\r\n" + strings.Repeat("x", n) + "\r\n"}, ping}, 1<<16)
	want := []string{"PUB big: 4194305 bytes, not held", "PING"}
	if got := analyzertest.Summaries(msgs); !slices.Equal(got, want) || msgs[0].Pub != nil {
		t.Errorf("%q, want %q", got, want)
	}
	if a.Pending(c2s) != 0 {
		t.Errorf("%d bytes pending", a.Pending(c2s))
	}
}

func TestUnended(t *testing.T) {
	a := NewAnalyzer()
	analyzertest.Feed(a, hello, 0)
	analyzertest.Feed(a, []step{{c2s, "PUB a 10\r\nabc"}}, 0)
	end := a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowRST})
	if got := analyzertest.Summaries(end); !slices.Equal(got, []string{"13 bytes without a line ending"}) || end[0].NextState != StateClosed {
		t.Errorf("%q", got)
	}
}

func TestErrors(t *testing.T) {
	for _, tt := range []struct{ line, says string }{
		{"-ERR 'Authorization Violation'", "closes the connection"},
		{"-ERR 'Permissions Violation for Publish to \"x\"'", "stays open"},
		{"-ERR 'Maximum Payload Violation'", "closes the connection"},
		{"-err 'Invalid Subject'", "stays open"},
	} {
		msgs := analyzertest.Feed(NewAnalyzer(), []step{{s2c, tt.line + "\r\n"}}, 0)
		if len(msgs) != 1 || !strings.Contains(msgs[0].Meaning, tt.says) {
			t.Errorf("%s: %q", tt.line, msgs[0].Meaning)
		}
	}
}
