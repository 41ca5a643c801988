package nats

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/protocollab/protolab/lab"
	"github.com/protocollab/protolab/protocols/internal/analyzertest"
)

const inbox = "_INBOX.zcXqgZnZTZ8Qm5fs7nOXer."

// captureTests are sessions recorded with nats-server (TestServer -update),
// with what the analyzer must make of them.
var captureTests = []struct {
	file      string
	summaries []string
	subjects  []string // the publications' subjects
}{
	{"natsgo.txt", []string{
		"INFO lab v2.15.3", `CONNECT "lab-test" (go 1.56.0)`, "PING", "PONG", "INFO lab v2.15.3",
		"SUB lab.*.t1 sid 1", "SUB work sid 2 queue workers", "SUB help sid 3", "PING", "PONG",
		`PUB lab.sensors.t1: "21.5"`, `HPUB lab.sensors.t1: "21.6"`, `PUB work: "job\r\n1"`,
		`MSG lab.sensors.t1 sid 1: "21.5"`, `HMSG lab.sensors.t1 sid 1: "21.6"`, `MSG work sid 2: "job\r\n1"`,
		"SUB " + inbox + "* sid 4", `PUB help reply ` + inbox + `3Uf6waCS: "please"`,
		`MSG help sid 3 reply ` + inbox + `3Uf6waCS: "please"`, `PUB ` + inbox + `3Uf6waCS: "here"`,
		`MSG ` + inbox + `3Uf6waCS sid 4: "here"`, "PUB nobody.home reply " + inbox + "6y3x82mH: (empty)",
		"HMSG " + inbox + "6y3x82mH sid 4: (empty)", "UNSUB 1 after 5", "UNSUB 1", "PING", "PONG"},
		[]string{"lab.sensors.t1", "lab.sensors.t1", "work", "lab.sensors.t1", "lab.sensors.t1", "work",
			"help", "help", inbox + "3Uf6waCS", inbox + "3Uf6waCS", "nobody.home", inbox + "6y3x82mH"}},
	{"by-hand.txt", []string{
		"INFO lab v2.15.3", `CONNECT "by hand"`, "PING", "+OK", "PONG", "SUB lab.> sid 1", `PUB lab.x: "hi"`,
		"+OK", "+OK", `MSG lab.x sid 1: "hi"`, `malformed: unknown verb "FOO"`, "-ERR 'Unknown Protocol Operation'"},
		[]string{"lab.x", "lab.x"}},
}

func TestCaptures(t *testing.T) {
	for _, tt := range captureTests {
		steps := capture(t, tt.file)
		for _, chunk := range []int{0, 1, 3} {
			a := NewAnalyzer()
			msgs := analyzertest.Feed(a, steps, chunk)
			if got := analyzertest.Summaries(msgs); !slices.Equal(got, tt.summaries) {
				t.Errorf("%s in chunks of %d:\n%q, want\n%q", tt.file, chunk, got, tt.summaries)
			}
			if got := analyzertest.Subjects(msgs); !slices.Equal(got, tt.subjects) {
				t.Errorf("%s in chunks of %d: subjects %q, want %q", tt.file, chunk, got, tt.subjects)
			}
			if got := analyzertest.States(msgs); !slices.Equal(got, []string{StateConnecting, StateConnected}) {
				t.Errorf("%s: states %q", tt.file, got)
			}
			analyzertest.CheckSpans(t, msgs)
			for _, m := range msgs {
				if m.Meaning == "" || !strings.HasPrefix(m.Ref, "NATS client protocol") || !m.Observed {
					t.Errorf("%s: %q has meaning %q, ref %q", tt.file, m.Summary, m.Meaning, m.Ref)
				}
			}
			if a.Pending(c2s)+a.Pending(s2c) != 0 {
				t.Errorf("%s: bytes pending", tt.file)
			}
			end := a.Closed(lab.CloseInfo{By: lab.SideServer, How: lab.HowFIN})
			if a.State() != StateClosed || len(end) != 1 || end[0].NextState != StateClosed {
				t.Errorf("%s: closed %q, state %q", tt.file, analyzertest.Summaries(end), a.State())
			}
		}
	}
}

func TestPublication(t *testing.T) {
	msgs := analyzertest.Feed(NewAnalyzer(), capture(t, "natsgo.txt"), 0)
	for _, tt := range []struct {
		summary, payload string
		dir              lab.Dir
	}{
		{`PUB lab.sensors.t1: "21.5"`, "21.5", c2s},
		{`HPUB lab.sensors.t1: "21.6"`, "21.6", c2s},
		{`MSG work sid 2: "job\r\n1"`, "job\r\n1", s2c},
		{"HMSG " + inbox + "6y3x82mH sid 4: (empty)", "", s2c},
	} {
		m := analyzertest.Find(t, msgs, tt.summary)
		want := lab.Publication{Subject: analyzertest.Field(m, "subject"), Digest: lab.PayloadDigest([]byte(tt.payload)), Size: len(tt.payload)}
		if m.Pub == nil || !reflect.DeepEqual(*m.Pub, want) || m.Dir != tt.dir {
			t.Errorf("%q: Pub %+v, want %+v", tt.summary, m.Pub, want)
		}
	}
}

func TestSpans(t *testing.T) {
	msgs := analyzertest.FeedSpans(t, NewAnalyzer(), capture(t, "natsgo.txt"))
	analyzertest.ExpectSpans(t, msgs[0], analyzertest.Spans{"verb": "INFO", "server_name": `"lab"`, "version": `"2.15.3"`, "max_payload": "1048576"})
	analyzertest.ExpectSpans(t, analyzertest.Find(t, msgs, `HPUB lab.sensors.t1: "21.6"`), analyzertest.Spans{
		"verb": "HPUB", "subject": "lab.sensors.t1", "#header bytes": "21", "#total bytes": "25",
		"headers": "NATS/1.0\r\nUnit: C\r\n\r\n", "header version": "NATS/1.0", "header Unit": "Unit: C", "payload": "21.6",
	})
	analyzertest.ExpectSpans(t, analyzertest.Find(t, msgs, `MSG help sid 3 reply `+inbox+`3Uf6waCS: "please"`), analyzertest.Spans{
		"subject": "help", "sid": "3", "reply-to": inbox + "3Uf6waCS", "#bytes": "6", "payload": "please",
	})
	analyzertest.ExpectSpans(t, analyzertest.Find(t, msgs, "SUB work sid 2 queue workers"), analyzertest.Spans{
		"subject": "work", "queue group": "workers", "sid": "2",
	})
	analyzertest.ExpectSpans(t, analyzertest.Find(t, msgs, "UNSUB 1 after 5"), analyzertest.Spans{"sid": "1", "max messages": "5"})
	nobody := analyzertest.Find(t, msgs, "HMSG "+inbox+"6y3x82mH sid 4: (empty)")
	if got := analyzertest.Field(nobody, "status"); !strings.HasPrefix(got, "503: no responders") {
		t.Errorf("status %q", got)
	}
}

func TestRoles(t *testing.T) {
	msgs := analyzertest.Feed(NewAnalyzer(), []step{{c2s, "PING\r\n"}, {s2c, "PING\r\nPONG\r\n"}, {c2s, "PONG\r\n"}}, 0)
	want := []lab.Message{{Role: lab.RoleRequest, Pair: "client PING"}, {Role: lab.RoleRequest, Pair: "server PING"},
		{Role: lab.RoleAnswer, Pair: "client PING"}, {Role: lab.RoleAnswer, Pair: "server PING"}}
	if len(msgs) != len(want) {
		t.Fatalf("%q", analyzertest.Summaries(msgs))
	}
	for i, m := range msgs {
		if m.Role != want[i].Role || m.Pair != want[i].Pair {
			t.Errorf("%d %q: role %d %q, want %d %q", i, m.Summary, m.Role, m.Pair, want[i].Role, want[i].Pair)
		}
	}
	for _, m := range analyzertest.Feed(NewAnalyzer(), capture(t, "natsgo.txt"), 0) {
		if want := map[string]lab.Role{"PING": lab.RoleRequest, "PONG": lab.RoleAnswer}[m.Summary]; m.Role != want {
			t.Errorf("%q: role %d, want %d", m.Summary, m.Role, want)
		}
	}
}

func TestCredentialsMasked(t *testing.T) {
	msgs := analyzertest.FeedSpans(t, NewAnalyzer(), []step{
		{s2c, "INFO {\"auth_required\":true}\r\n"},
		{c2s, "CONNECT {\"user\":\"bob\",\"pass\":\"s3cret\",\"auth_token\":\"tok\"}\r\n"},
	})
	m := msgs[1]
	analyzertest.ExpectSpans(t, m, analyzertest.Spans{"user": `"bob"`, "pass": `"s3cret"`, "auth_token": `"tok"`})
	if analyzertest.Field(m, "pass") != masked || analyzertest.Field(m, "auth_token") != masked ||
		strings.Contains(m.Summary+m.Meaning, "s3cret") {
		t.Errorf("credentials shown: %+v", m.Fields)
	}
}
