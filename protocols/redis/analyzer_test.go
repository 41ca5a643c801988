package redis

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

// sessionTests are scripted sessions with the summaries and states the
// analyzer must make of them, whole and in chunks.
var sessionTests = []struct {
	name      string
	steps     []step
	summaries []string
	states    []string
}{
	{"login, pipelined commands", []step{
		{c2s, cmd("AUTH", "lab", "lab")},
		{s2c, "+OK\r\n"},
		{c2s, cmd("SET", "greeting", "hello") + cmd("GET", "greeting") + cmd("GET", "nothing") + cmd("INCR", "n")},
		{s2c, "+OK\r\n$5\r\nhello\r\n$-1\r\n:1\r\n"},
		{c2s, cmd("LRANGE", "l", "0", "-1")},
		{s2c, "*2\r\n$1\r\na\r\n$1\r\nb\r\n"},
		{c2s, cmd("HGET", "h", "f")},
		{s2c, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	}, []string{"AUTH lab ****", "AUTH → OK", "SET greeting hello", "GET greeting", "GET nothing", "INCR n",
		"SET → OK", `GET → "hello"`, "GET → (nil)", "INCR → (integer) 1", "LRANGE l 0 -1", "LRANGE → (array of 2)",
		"HGET h f", "HGET → (error) WRONGTYPE Operation against a key holding the wrong kind of value"},
		[]string{StateConnected, StateAuthenticated}},
	{"RESP3 and a transaction", []step{
		{c2s, cmd("HELLO", "3", "AUTH", "lab", "s3cret")},
		{s2c, "%2\r\n$6\r\nserver\r\n$5\r\nredis\r\n$5\r\nproto\r\n:3\r\n"},
		{c2s, cmd("MULTI")}, {s2c, "+OK\r\n"},
		{c2s, cmd("INCR", "n")}, {s2c, "+QUEUED\r\n"},
		{c2s, cmd("HGETALL", "h")}, {s2c, "+QUEUED\r\n"},
		{c2s, cmd("EXEC")}, {s2c, "*2\r\n:2\r\n%1\r\n$1\r\nf\r\n$1\r\nv\r\n"},
		{c2s, cmd("SMEMBERS", "s")}, {s2c, "~2\r\n$1\r\na\r\n$1\r\nb\r\n"},
		{c2s, cmd("ZSCORE", "z", "m")}, {s2c, ",1.5\r\n"},
		{c2s, cmd("X")}, {s2c, "#t\r\n"},
		{c2s, cmd("X") + cmd("X") + cmd("X") + cmd("X")},
		{s2c, "(12345678901234567890\r\n=7\r\ntxt:abc\r\n_\r\n|1\r\n+a\r\n:1\r\n:2\r\n"},
	}, []string{"HELLO 3 AUTH lab ****", "HELLO → (map of 2)", "MULTI", "MULTI → OK", "INCR n", "INCR → QUEUED",
		"HGETALL h", "HGETALL → QUEUED", "EXEC", "EXEC → (array of 2)", "SMEMBERS s", "SMEMBERS → (set of 2)",
		"ZSCORE z m", "ZSCORE → (double) 1.5", "X", "X → (true)", "X", "X", "X", "X",
		"X → (big number) 12345678901234567890", `X → (verbatim txt) "abc"`, "X → (nil)", "X → (integer) 2"},
		[]string{StateConnected, StateAuthenticated, StateTransaction, StateAuthenticated}},
	{"pub/sub", []step{
		{c2s, cmd("SUBSCRIBE", "news", "sport")},
		{s2c, "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$5\r\nsport\r\n:2\r\n"},
		{s2c, "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n"},
		{c2s, cmd("PSUBSCRIBE", "n*")},
		{s2c, "*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:3\r\n*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$2\r\nyo\r\n"},
		{c2s, cmd("UNSUBSCRIBE") + cmd("PUNSUBSCRIBE")},
		{s2c, "*3\r\n$11\r\nunsubscribe\r\n$4\r\nnews\r\n:2\r\n*3\r\n$11\r\nunsubscribe\r\n$5\r\nsport\r\n:1\r\n*3\r\n$12\r\npunsubscribe\r\n$2\r\nn*\r\n:0\r\n"},
		{c2s, cmd("PUBLISH", "news", "hi")}, {s2c, ":1\r\n"},
	}, []string{"SUBSCRIBE news sport", "subscribe news (1 subscriptions)", "subscribe sport (2 subscriptions)",
		`message on news: "hi"`, "PSUBSCRIBE n*", "psubscribe n* (3 subscriptions)", `pmessage n* on news: "yo"`,
		"UNSUBSCRIBE", "PUNSUBSCRIBE", "unsubscribe news (2 subscriptions)", "unsubscribe sport (1 subscriptions)",
		"punsubscribe n* (0 subscriptions)", `PUBLISH news hi`, "PUBLISH → (integer) 1"},
		[]string{StateConnected, StateSubscribed, StateAuthenticated}},
	{"inline", []step{
		{c2s, "PING\r\n"}, {s2c, "+PONG\r\n"},
		{c2s, "set k \"a b\\n\" \r\n\r\nget 'k'\n"}, {s2c, "+OK\r\n$4\r\na b\n\r\n"},
		{c2s, "set \"x\r\n"}, {s2c, "-ERR Protocol error: unbalanced quotes in request\r\n"},
	}, []string{"PING", "PING → PONG", `SET k "a b\n"`, "an empty line", "GET k", "SET → OK", `GET → "a b\n"`,
		"malformed: unbalanced quotes in an inline command", "(error) ERR Protocol error: unbalanced quotes in request"},
		[]string{StateConnected, StateAuthenticated}},
}

func TestSessions(t *testing.T) {
	for _, tt := range sessionTests {
		for _, chunk := range []int{0, 1, 3} {
			a := NewAnalyzer()
			msgs := analyzertest.Feed(a, tt.steps, chunk)
			if got := analyzertest.Summaries(msgs); !slices.Equal(got, tt.summaries) {
				t.Errorf("%s in chunks of %d:\n%q, want\n%q", tt.name, chunk, got, tt.summaries)
			}
			if got := analyzertest.States(msgs); !slices.Equal(got, tt.states) {
				t.Errorf("%s: states %q, want %q", tt.name, got, tt.states)
			}
			analyzertest.CheckSpans(t, msgs)
			for _, m := range msgs {
				if m.Meaning == "" || !strings.HasPrefix(m.Ref, "RESP: ") || !m.Observed {
					t.Errorf("%s: %q has meaning %q, ref %q", tt.name, m.Summary, m.Meaning, m.Ref)
				}
			}
			if a.Pending(c2s)+a.Pending(s2c) != 0 {
				t.Errorf("%s: bytes pending", tt.name)
			}
			end := a.Closed(lab.CloseInfo{By: lab.SideClient, How: lab.HowFIN})
			if a.State() != StateClosed || len(end) != 1 || end[0].NextState != StateClosed {
				t.Errorf("%s: closed %q, state %q", tt.name, analyzertest.Summaries(end), a.State())
			}
		}
	}
}

// TestPairs: each reply is paired with its command, in order, however many
// commands one write carried; pushed messages are no replies.
func TestPairs(t *testing.T) {
	for _, tt := range sessionTests[:3] {
		msgs := analyzertest.Feed(NewAnalyzer(), tt.steps, 0)
		asked := map[string]string{}
		for _, m := range msgs {
			switch m.Role {
			case lab.RoleRequest:
				name, _, _ := strings.Cut(m.Summary, " ")
				asked[m.Pair] = name
			case lab.RoleAnswer:
				name, _, _ := strings.Cut(m.Summary, " ")
				if want := asked[m.Pair]; !strings.EqualFold(want, name) {
					t.Errorf("%s: %q answers %q (%s)", tt.name, m.Summary, want, m.Pair)
				}
			default:
				if m.Pub == nil && !strings.HasPrefix(m.Summary, "push") {
					t.Errorf("%s: %q has no role", tt.name, m.Summary)
				}
			}
		}
	}
}

func TestPublication(t *testing.T) {
	msgs := analyzertest.Feed(NewAnalyzer(), sessionTests[2].steps, 0)
	for _, tt := range []struct {
		summary, subject, payload string
		dir                       lab.Dir
	}{
		{`message on news: "hi"`, "news", "hi", s2c},
		{`pmessage n* on news: "yo"`, "news", "yo", s2c},
		{"PUBLISH news hi", "news", "hi", c2s},
	} {
		m := analyzertest.Find(t, msgs, tt.summary)
		want := lab.Publication{Subject: "redis:" + tt.subject, Digest: lab.PayloadDigest([]byte(tt.payload)), Size: len(tt.payload)}
		if m.Pub == nil || !reflect.DeepEqual(*m.Pub, want) || m.Dir != tt.dir {
			t.Errorf("%q: Pub %+v, want %+v", tt.summary, m.Pub, want)
		}
	}
}

func TestSpans(t *testing.T) {
	msgs := analyzertest.FeedSpans(t, NewAnalyzer(), sessionTests[0].steps)
	analyzertest.ExpectSpans(t, analyzertest.Find(t, msgs, "SET greeting hello"), analyzertest.Spans{
		"type": "*", "count": "3", "command length": "3", "command": "SET", "key length": "8", "key": "greeting", "value": "hello",
	})
	analyzertest.ExpectSpans(t, analyzertest.Find(t, msgs, `GET → "hello"`), analyzertest.Spans{
		"type": "$", "reply length": "5", "reply": "hello",
	})
	analyzertest.ExpectSpans(t, analyzertest.Find(t, msgs, "LRANGE → (array of 2)"), analyzertest.Spans{
		"reply": "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "reply count": "2", "reply[0]": "a", "reply[1] length": "1",
	})
	auth := msgs[0]
	analyzertest.ExpectSpans(t, auth, analyzertest.Spans{"username": "lab", "password": "lab"})
	if analyzertest.Field(auth, "password") != masked {
		t.Errorf("AUTH's password shown: %+v", auth.Fields)
	}
	r3 := analyzertest.FeedSpans(t, NewAnalyzer(), sessionTests[1].steps)
	hello := r3[0]
	if analyzertest.Field(hello, "password") != masked || strings.Contains(hello.Summary+hello.Meaning, "s3cret") {
		t.Errorf("HELLO's password shown: %q %+v", hello.Summary, hello.Fields)
	}
	analyzertest.ExpectSpans(t, analyzertest.Find(t, r3, "HELLO → (map of 2)"), analyzertest.Spans{
		"reply key 1": "server", "reply value 2": "3", "reply key 2 length": "5",
	})
	inline := analyzertest.FeedSpans(t, NewAnalyzer(), sessionTests[3].steps)
	analyzertest.ExpectSpans(t, analyzertest.Find(t, inline, `SET k "a b\n"`), analyzertest.Spans{
		"command": "set", "key": "k", "value": `"a b\n"`,
	})
}

// TestEveryType: a value of each RESP type, whole and as an element.
func TestEveryType(t *testing.T) {
	for _, v := range []string{"+OK\r\n", "-ERR x\r\n", ":-3\r\n", "$0\r\n\r\n", "$-1\r\n", "*-1\r\n", "*0\r\n", "_\r\n",
		",-1.5e3\r\n", ",inf\r\n", "#f\r\n", "!3\r\nERR\r\n", "=8\r\nmkd:# hi\r\n", "(-1\r\n", "%0\r\n", "~1\r\n_\r\n",
		">2\r\n+a\r\n+b\r\n", "|1\r\n+k\r\n+v\r\n+OK\r\n"} {
		for _, whole := range []string{v, "*2\r\n" + v + v} {
			a := NewAnalyzer()
			msgs := analyzertest.Feed(a, []step{{c2s, cmd("X")}, {s2c, whole}}, 1)
			if len(msgs) != 2 || strings.HasPrefix(msgs[1].Summary, "malformed") || a.Pending(s2c) != 0 {
				t.Errorf("%q: %q", whole, analyzertest.Summaries(msgs))
			}
			analyzertest.CheckSpans(t, msgs)
		}
	}
}
